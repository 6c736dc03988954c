"""What every back-office page does with input that is not what it asks for: a clear error or a
refusal, never a server error and never "done" when nothing was done (SEC-04).

- `GuardedModelAdmin`, the base of every ModelAdmin of the project (audit.AuditedModelAdmin
  builds on it): a date drill-down outside what a date can hold sends the list back with
  Django's "?e=1" error, and an action posted with a selection that is not an id is refused.
- `GuardedModelAdmin`'s change pages refuse a save over a colleague's later change
  (wekst.stale_pages).
- `is_id`: the one check that a value from the address or a form is an id of a model, used
  by list filters and forms that take ids.
- `RefuseNulBytesMiddleware`: a NUL byte in a back-office address is refused with a 400 before
  any query (PostgreSQL cannot hold one in text and would answer with a server error).
"""

import datetime
from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from wekst.stale_pages import OPENED_AS, StalePageCheck, opened_as


def is_id(field: models.Field, value: str) -> bool:
    """Whether `value` can be a value of `field` (a primary key, or the key a foreign key points
    at): not when it is not a number, not a UUID, or a number the database cannot hold."""
    try:
        field.clean(value, None)
    except ValidationError:
        return False
    return True


class GuardedChangeList(ChangeList):
    """Django's list, whose date drill-down catches a ValueError only: a year such as 9999 or
    99999999999999999999 overflows while the bounds are built, and year 1 only when the bounds
    are turned into UTC for the query. Both are the "?e=1" error here."""

    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error
        if self.date_hierarchy and isinstance(
            get_fields_from_path(self.model, self.date_hierarchy)[-1], models.DateTimeField
        ):
            # A time is queried in UTC; a date is not, and the first day is a date like any other.
            for key in (f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"):
                for bound in filters[2].get(key, ()):
                    try:
                        bound.astimezone(datetime.UTC)
                    except OverflowError as error:
                        raise IncorrectLookupParameters(error) from error
        return filters


class GuardedModelAdmin(admin.ModelAdmin):
    """The ModelAdmin every back-office page of the project builds on (wekst/tests/
    test_sec_04_admin_guards.py checks that each registered one does)."""

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, StalePageCheck):
            return form
        return type(form.__name__, (StalePageCheck, form), {"__module__": form.__module__})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if getattr(form, "now_opened_as", None):  # refused as stale: the record as it is now
            context["opened_as"] = form.now_opened_as
        elif request.method == "POST":  # shown again with errors: as it was first opened
            context["opened_as"] = request.POST.get(OPENED_AS, "")
        elif change and obj is not None:
            context["opened_as"] = opened_as(form, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def refuse_selection_of_non_ids(self, request) -> HttpResponse | None:
        """The answer to an action posted with a selection that is not an id (a tampered form):
        a warning and the list again, nothing done. None when every selected value is an id."""
        pk = self.model._meta.pk
        if not all(
            is_id(pk, value) for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        ):
            self.message_user(
                request,
                "The selection was not understood: nothing was changed. Select the rows again.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        return None

    def response_action(self, request, queryset, *args, **kwargs):
        refused = self.refuse_selection_of_non_ids(request)
        if refused is not None:
            return refused
        return super().response_action(request, queryset, *args, **kwargs)


class RefuseNulBytesMiddleware:
    """A NUL byte in a back-office path or query string: 400 (the project's handler400), before
    any view or filter reaches the database. The public site's forms refuse control characters
    themselves (wekst.validators); the back office's list filters and ids in paths do not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The raw query string first: most requests hold no NUL byte and cost no more than this.
        query = request.META.get("QUERY_STRING", "")
        if ("\x00" in request.path or "%00" in query or "\x00" in query) and _in_back_office(
            request.path
        ):
            raise SuspiciousOperation("A NUL byte in a back-office address.")
        return self.get_response(request)


def _in_back_office(path: str) -> bool:
    try:
        return path.startswith(reverse("admin:index"))
    except NoReverseMatch:  # a site without the back office (a test's own URLs)
        return False
