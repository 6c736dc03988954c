"""The moved models' content types (and with them their permissions, the groups that hold them and
the admin log) follow the models from processors to clinics (issue 17).

Renaming the content type rows, rather than letting Django create new ones, keeps every group's
permissions on clinics (staff.roles; the privacy officer's role) without anyone re-granting them,
and keeps admin log entries pointing at their objects.
"""

from django.db import migrations

MOVED = [
    "clinic",
    "cliniccontact",
    "engagement",
    "clinicagreement",
    "primaryaccountingrecord",
    "secondaryaccountingrecord",
]


def _move(apps, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if content_type.objects.filter(app_label=target, model=model).exists():
            continue  # already there (created by a run of post_migrate): leave both as they are
        content_type.objects.filter(app_label=source, model=model).update(app_label=target)
    # The cached content types of this process may name the old label.
    content_type.objects.clear_cache()


def forwards(apps, schema_editor):
    _move(apps, source="processors", target="clinics")


def backwards(apps, schema_editor):
    _move(apps, source="clinics", target="processors")


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0002_agreement_legal_basis"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
