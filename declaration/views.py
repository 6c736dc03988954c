"""The pages generated from the declaration: privacy policy, cookie policy, records of processing."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from declaration.archive import difference, get_published_version, published_versions
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


# The archive of published versions (policy §13; TP-04) --------------------------------------


def _language(request) -> str:
    return get_language() or "en"


def _with_previous(versions: list) -> list[tuple]:
    """Each version (newest first) with the archived version before it, for "what changed"."""
    rows = []
    for index, version in enumerate(versions):
        earlier = [v for v in versions[index + 1 :] if v.archived]
        previous = earlier[0] if earlier and version.archived else None
        rows.append((version, previous))
    return rows


@require_safe
def policy_archive(request):
    """Every published version, each readable, and a form to compare any two."""
    versions = list(published_versions())
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    error = ""
    if old or new:
        names = {v.version for v in versions if v.archived}
        if old in names and new in names and old != new:
            return redirect("declaration:version_difference", old=old, new=new)
        error = _("Choose two different versions of which we kept the text.")
    return render(
        request,
        "declaration/policy_archive.html",
        {
            "versions": versions,
            "rows": _with_previous(versions),
            "comparable": [v for v in versions if v.archived],
            "error": error,
        },
        status=400 if error else 200,
    )


def _archived_document(request, version: str, document: str):
    published = get_published_version(version)
    if published is None:
        raise Http404(_("No version of our policy has that name."))
    language = _language(request)
    return render(
        request,
        "declaration/archived_version.html",
        {
            "published": published,
            "document": document,
            "text": published.text(document, language),
            "english_only": language != "en" and not getattr(published, f"{document}_nb"),
            "language": language,
            "summary": published.summary(language),
        },
    )


@require_safe
def archived_version(request, version: str):
    return _archived_document(request, version, "privacy_policy")


@require_safe
def archived_cookie_policy(request, version: str):
    return _archived_document(request, version, "cookie_policy")


@require_safe
def version_difference(request, old: str, new: str):
    """What changed between two published versions, paragraph by paragraph (<del>, <ins>)."""
    before, after = get_published_version(old), get_published_version(new)
    if before is None or after is None:
        raise Http404(_("No version of our policy has that name."))
    language = _language(request)
    # Both sides in one language: English when either version was published in English only.
    if not (before.privacy_policy_nb and after.privacy_policy_nb):
        language = "en"
    documents = []
    if before.archived and after.archived:
        for document, title in (
            ("privacy_policy", _("Privacy policy")),
            ("cookie_policy", _("Cookie policy")),
        ):
            lines = difference(before.text(document, language), after.text(document, language))
            documents.append(
                {
                    "title": title,
                    "lines": lines,
                    "added": sum(line.kind == "added" for line in lines),
                    "removed": sum(line.kind == "removed" for line in lines),
                }
            )
    return render(
        request,
        "declaration/version_difference.html",
        {"before": before, "after": after, "documents": documents, "language": language},
    )
