"""Moving the clinics out of processors (issue 17) moves no data and loses none: rows written
before the migration are all there after it, in the same tables, with their links, and the groups
that could see clinics still can.

Runs the real migrations backwards to the state before the move, writes rows through the models
of that state, then migrates forwards again (django.db.migrations.executor.MigrationExecutor).
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration of each app concerned before the move.
BEFORE_THE_MOVE = [
    ("processors", "0003_clinic_staff"),
    ("leads", "0004_other_sources_and_art14_notice"),
    ("breaches", "0001_initial"),
    ("clinics", None),
]
TABLES = {
    "Clinic": "processors_clinic",
    "ClinicContact": "processors_cliniccontact",
    "Engagement": "processors_engagement",
    "ClinicAgreement": "processors_clinicagreement",
    "PrimaryAccountingRecord": "processors_primaryaccountingrecord",
    "SecondaryAccountingRecord": "processors_secondaryaccountingrecord",
}


def migrate(targets):
    """Migrate the database to `targets`; returns the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # re-read what is applied now
    graph = executor.loader.graph
    # The state at those migrations (an app migrated to None has none), with the content types and
    # permissions as they are now.
    nodes = [target for target in targets if target[1] is not None]
    nodes += graph.leaf_nodes("contenttypes") + graph.leaf_nodes("auth")
    return executor.loader.project_state(nodes).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def write_rows_before_the_move(apps) -> dict:
    """One of everything clinic-related, linked as staff would link it, through the old models."""
    user = apps.get_model("auth", "User").objects.create(
        username="assigned", is_staff=True, is_active=True
    )
    subject = apps.get_model("subjects", "Subject").objects.create(email="kari@klinikk.example")
    recipient = apps.get_model("processors", "Recipient").objects.create(
        key="trafft", name="Trafft", legal_entity="Trafft d.o.o.", role="processor", service="x"
    )
    clinic = apps.get_model("processors", "Clinic").objects.create(
        name="Tannlege Nord AS", slug="tannlege-nord", email="personvern@tannlege-nord.example"
    )
    clinic.staff.add(user)
    contact = apps.get_model("processors", "ClinicContact").objects.create(
        clinic=clinic, subject=subject, name="Kari Nordmann", email="kari@klinikk.example"
    )
    today = timezone.localdate()
    engagement = apps.get_model("processors", "Engagement").objects.create(
        clinic=clinic, starts_on=today
    )
    agreement = apps.get_model("processors", "ClinicAgreement").objects.create(
        clinic=clinic,
        signed_on=today,
        document="clinics/agreements/tannlege-nord-dpa.pdf",
        covers_article_28_terms=True,
        platforms="Meta Ads",
        data_categories="Name, email",
        purposes="Answering enquiries",
        retention_months=12,
    )
    agreement.sub_processors.add(recipient)
    year_end = datetime.date(today.year, 12, 31)
    records = {
        kind: apps.get_model("processors", f"{kind}AccountingRecord").objects.create(
            clinic=clinic,
            subject=subject,
            reference=f"INV-{kind}",
            document_date=today,
            accounting_year_end=year_end,
        )
        for kind in ("Primary", "Secondary")
    }
    lead = apps.get_model("leads", "Lead").objects.create(
        subject=subject,
        kind="contact",
        purpose="enquiries",
        legal_basis="contract",
        source="clinic_form:tannlege-nord",
        policy_version="test",
        language="nb",
        clinic=clinic,
    )
    breach = apps.get_model("breaches", "Breach").objects.create(
        title="Lead list sent to the wrong address",
        became_aware_at=timezone.now(),
        what_happened="x",
        data_categories="x",
        subject_categories="x",
        clinic=clinic,
    )
    # A group holding a clinic permission (as the privacy officer's does).
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="processors", model="clinic"
    )
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type=content_type, codename="view_clinic"
    )
    group = apps.get_model("auth", "Group").objects.create(name="Clinic readers")
    group.permissions.add(permission)
    user.groups.add(group)
    return {
        "user": user.pk,
        "clinic": clinic.pk,
        "contact": contact.pk,
        "engagement": engagement.pk,
        "agreement": agreement.pk,
        "recipient": recipient.pk,
        "primary": records["Primary"].pk,
        "secondary": records["Secondary"].pk,
        "lead": lead.pk,
        "breach": breach.pk,
    }


def test_pro_03_moving_the_clinics_to_their_own_app_keeps_every_row_and_link():
    try:
        old_apps = migrate(BEFORE_THE_MOVE)
        assert "clinics" not in {m._meta.app_label for m in old_apps.get_models()}
        ids = write_rows_before_the_move(old_apps)
    finally:
        new_apps = migrate(latest())

    clinic = new_apps.get_model("clinics", "Clinic").objects.get(pk=ids["clinic"])
    assert (clinic.name, clinic.slug) == ("Tannlege Nord AS", "tannlege-nord")
    assert list(clinic.staff.values_list("pk", flat=True)) == [ids["user"]]
    contact = new_apps.get_model("clinics", "ClinicContact").objects.get(pk=ids["contact"])
    assert (contact.clinic_id, contact.name) == (clinic.pk, "Kari Nordmann")
    assert new_apps.get_model("clinics", "Engagement").objects.get(pk=ids["engagement"]).clinic_id
    agreement = new_apps.get_model("clinics", "ClinicAgreement").objects.get(pk=ids["agreement"])
    assert (agreement.clinic_id, agreement.purposes, agreement.retention_months) == (
        clinic.pk,
        "Answering enquiries",
        12,
    )
    assert agreement.document.name == "clinics/agreements/tannlege-nord-dpa.pdf"
    assert agreement.legal_basis == ""  # not recorded before the field existed
    assert list(agreement.sub_processors.values_list("pk", flat=True)) == [ids["recipient"]]
    for kind in ("primary", "secondary"):
        model = new_apps.get_model("clinics", f"{kind.capitalize()}AccountingRecord")
        record = model.objects.get(pk=ids[kind])
        assert (record.clinic_id, record.reference) == (clinic.pk, f"INV-{kind.capitalize()}")
    assert new_apps.get_model("leads", "Lead").objects.get(pk=ids["lead"]).clinic_id == clinic.pk
    breach = new_apps.get_model("breaches", "Breach").objects.get(pk=ids["breach"])
    assert breach.clinic_id == clinic.pk
    # The same tables: nothing was copied.
    for name, table in TABLES.items():
        assert new_apps.get_model("clinics", name)._meta.db_table == table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own table names
            assert cursor.fetchone()[0] == 1, table

    # The group keeps its permission, now under the clinics app's label.
    user = get_user_model().objects.get(pk=ids["user"])
    assert user.has_perm("clinics.view_clinic")
    content_type = new_apps.get_model("contenttypes", "ContentType")
    assert not content_type.objects.filter(app_label="processors", model="clinic").exists()
