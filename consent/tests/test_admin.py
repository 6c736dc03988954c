"""Staff look up a consent id and export the log (CON-03), read-only, CSV-injection safe (SEC-03)."""

import csv
import io

import pytest

from consent.export import safe_cell
from consent.models import ConsentDecision
from consent.tests.factories import make_decision

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/consent/consentdecision/"


def export(staff_client, *decisions) -> tuple:
    response = staff_client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [d.pk for d in decisions]},
    )
    body = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(body)))


def test_con_03_staff_find_the_decisions_of_a_consent_id(privacy_officer_client):
    wanted = make_decision()
    make_decision(
        consent_id=wanted.consent_id,
        action="reject_all",
        analytics=False,
        marketing=False,
        embedded=False,
        method="settings",
    )
    other = make_decision()

    response = privacy_officer_client.get(CHANGELIST, {"q": str(wanted.consent_id)})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(
        ConsentDecision.objects.filter(consent_id=wanted.consent_id)
    )
    assert len(response.context["cl"].result_list) == 2
    assert str(other.consent_id) not in response.content.decode()


def test_con_03_a_search_term_that_is_no_consent_id_finds_nothing_without_error(
    privacy_officer_client,
):
    make_decision()

    response = privacy_officer_client.get(CHANGELIST, {"q": "'; DROP TABLE x; --"})

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0


def test_con_03_the_log_cannot_be_added_to_changed_or_deleted_by_staff(admin_client):
    decision = make_decision()

    assert admin_client.get(CHANGELIST + "add/").status_code == 403
    change = admin_client.post(
        f"{CHANGELIST}{decision.pk}/change/", {"analytics": "", "marketing": ""}
    )
    assert change.status_code == 403
    assert admin_client.get(f"{CHANGELIST}{decision.pk}/delete/").status_code == 403
    decision.refresh_from_db()
    assert decision.analytics is True


def test_con_03_the_log_exports_as_csv_with_one_row_per_decision(privacy_officer_client):
    first = make_decision(language="nb")
    second = make_decision(gpc=True, analytics=False, marketing=False)

    response, rows = export(privacy_officer_client, first, second)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="consent-log-')
    assert rows[0][:3] == ["consent_id", "decided_at", "action"]
    assert [row[0] for row in rows[1:]] == [str(first.consent_id), str(second.consent_id)]
    header = rows[0]
    assert rows[1][header.index("language")] == "nb"
    assert rows[2][header.index("gpc")] == "True"
    assert rows[2][header.index("truncated_ip")] == "192.0.2.0"


def test_sec_03_exported_cells_cannot_run_as_spreadsheet_formulas(admin_client):
    hostile = make_decision(
        banner_version='=HYPERLINK("http://x")', policy_version="+1+1", language="@SUM"
    )

    _, rows = export(admin_client, hostile)

    header, row = rows
    assert row[header.index("banner_version")] == '\'=HYPERLINK("http://x")'
    assert row[header.index("policy_version")] == "'+1+1"
    assert row[header.index("language")] == "'@SUM"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("2026.2", "2026.2"), (None, "")],
)
def test_sec_03_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_con_03_staff_without_the_consent_log_in_their_role_cannot_export(sales_client):
    decision = make_decision()

    response = sales_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [decision.pk]}
    )

    assert response.status_code == 403
    assert sales_client.get(CHANGELIST).status_code == 403
