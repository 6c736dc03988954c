"""The pages generated from the declaration: privacy policy, cookie policy, records of processing."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from declaration.policy import cookie_policy_context, privacy_policy_context
from declaration.records import COLUMNS, build_records, records_as_csv
from declaration.selectors import get_declaration


@require_safe
def privacy_policy(request):
    context = privacy_policy_context(get_declaration())
    return render(request, "declaration/privacy_policy.html", context)


@require_safe
def cookie_policy(request):
    context = cookie_policy_context(get_declaration())
    return render(request, "declaration/cookie_policy.html", context)


@require_safe
@staff_member_required
def records_of_processing(request):
    declaration = get_declaration()
    return render(
        request,
        "declaration/records_of_processing.html",
        {
            **admin.site.each_context(request),
            "declaration": declaration,
            "columns": COLUMNS,
            "records": build_records(declaration, get_language()),
        },
    )


@require_safe
@staff_member_required
def records_of_processing_csv(request):
    declaration = get_declaration()
    response = HttpResponse(
        records_as_csv(declaration, get_language()), content_type="text/csv; charset=utf-8"
    )
    filename = f"records-of-processing-{declaration.current.version}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
