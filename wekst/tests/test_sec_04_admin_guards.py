"""Every back-office page answers input it did not ask for with a clear error, never a server
error, and never claims to have done something it did not (SEC-04; wekst/admin_guards.py)."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db.models import DateTimeField
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEntry
from wekst.admin_guards import GuardedModelAdmin

pytestmark = pytest.mark.django_db

# Django's and its packages' own pages: the project registers its own for every other model.
THIRD_PARTY = ("django.", "django_tasks", "django_otp")


def project_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if not type(model_admin).__module__.startswith(THIRD_PARTY)
    ]


def _list_url(model_admin) -> str:
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _answer(client, method: str, url: str, data=None):
    client.raise_request_exception = False
    try:
        return getattr(client, method)(url, data or {})
    finally:
        client.raise_request_exception = True


def test_sec_04_every_page_of_the_project_builds_on_the_guarded_admin():
    unguarded = [
        type(model_admin).__name__
        for model_admin in project_admins()
        if not isinstance(model_admin, GuardedModelAdmin)
    ]
    assert unguarded == []


DRILL_DOWNS = {
    "the last day a date can hold": "{f}__year=9999&{f}__month=12&{f}__day=31",
    "the first day, before UTC can hold it": "{f}__year=1&{f}__month=1&{f}__day=1",
    "a year no date can hold": "{f}__year=99999999999999999999999",
    "a month after the last": "{f}__year=9999&{f}__month=12",
}


@pytest.mark.parametrize("query", DRILL_DOWNS.values(), ids=DRILL_DOWNS.keys())
def test_sec_04_a_date_drill_down_out_of_range_is_the_lists_error_on_every_list(
    admin_client, query
):
    with_dates = [a for a in project_admins() if a.date_hierarchy]
    assert len(with_dates) >= 10  # the walk reaches the lists it is about
    answers = {}
    for model_admin in with_dates:
        url = f"{_list_url(model_admin)}?{query.format(f=model_admin.date_hierarchy)}"
        answers[url] = _answer(admin_client, "get", url)
    assert {url: r.status_code for url, r in answers.items() if r.status_code >= 500} == {}
    # A range that cannot be built is the list's "?e=1" error, not an empty list (the first day
    # is refused only on lists of times: the next test).
    if "__year=1&" not in query:
        assert [
            url for url, r in answers.items() if not r.get("Location", "").endswith("?e=1")
        ] == []


def test_sec_04_the_first_day_is_refused_only_where_it_holds_times(admin_client):
    for model_admin in project_admins():
        field = model_admin.date_hierarchy
        if not field:
            continue
        url = f"{_list_url(model_admin)}?{field}__year=1&{field}__month=1&{field}__day=1"
        answer = admin_client.get(url)
        # A time of that day in Oslo is in the year 0 in UTC; a date of that day is a date.
        holds_times = isinstance(model_admin.model._meta.get_field(field), DateTimeField)
        assert (answer.status_code == 302) == holds_times, url


def _first_action(model_admin, user) -> str | None:
    request = RequestFactory().get("/")
    request.user = user
    return next(iter(model_admin.get_actions(request)), None)


@pytest.mark.parametrize(
    "selected",
    [["abc"], ["1.5"], ["99999999999999999999"], ["00000000-0000-0000-0000-000000000000"]],
)
def test_sec_04_an_action_on_a_selection_that_is_not_ids_does_nothing_and_says_so(
    admin_client, admin_user, selected
):
    tried = 0
    for model_admin in project_admins():
        action = _first_action(model_admin, admin_user)
        if action is None or model_admin.model._meta.pk.get_internal_type() == "CharField":
            continue
        tried += 1
        url = _list_url(model_admin)
        before = AuditEntry.objects.exclude(action="view").count()
        data = {"action": action, "index": "0", "_selected_action": selected}
        answer = _answer(admin_client, "post", url, data)
        assert (answer.status_code, answer.get("Location")) == (302, url), (url, action)
        said = [(m.level_tag, m.message) for m in get_messages(answer.wsgi_request)]
        assert (
            "warning",
            "The selection was not understood: nothing was changed. Select the rows again.",
        ) in said
        assert AuditEntry.objects.exclude(action="view").count() == before, (url, action)
    assert tried >= 10


NUL_ADDRESSES = [
    "/admin/rights/request/?status__exact=%00",
    "/admin/audit/auditentry/?object_type=%00",
    "/admin/leads/lead/?source=%00",
    "/admin/leads/lead/?q=a%00b",
    "/admin/leads/lead/?%00=1",
    "/admin/consent/bannertext/%00/change/",
]


@pytest.mark.parametrize("url", NUL_ADDRESSES)
def test_sec_04_a_nul_byte_in_a_back_office_address_is_refused_before_any_query(
    admin_client, url, django_assert_max_num_queries
):
    # PostgreSQL cannot hold a NUL byte in text: without the refusal these are server errors.
    with django_assert_max_num_queries(0):
        answer = _answer(admin_client, "get", url)
    assert answer.status_code == 400


def test_sec_04_the_refusal_is_the_back_offices_alone(client):
    assert client.get("/?utm=%00").status_code != 400
