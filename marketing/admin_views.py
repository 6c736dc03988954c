"""The back-office pages of marketing profiling: the declared segments with their size, and the
export of one to a platform, streamed and audited (policy §10; TP-07, SB-01)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit.services import actor_of
from declaration.selectors import get_declaration
from marketing.selectors import get_segment, recent_exports, segment_size
from marketing.services import export_segment, may_export_segments
from wekst.spreadsheets import csv_lines


@require_safe
def segment_list(request):
    if not may_export_segments(request.user):
        raise PermissionDenied
    declaration = get_declaration()
    segments = [
        (
            segment,
            declaration.activities[segment.activity],
            [declaration.recipients[key] for key in segment.platforms],
            segment_size(segment=segment),
        )
        for segment in declaration.segments.values()
    ]
    return render(
        request,
        "marketing/segments.html",
        {
            **admin.site.each_context(request),
            "title": _("Audience segments"),
            "segments": segments,
            "exports": recent_exports(),
        },
    )


@require_POST
def segment_export(request, key: str):
    """A CSV streamed to the browser and kept nowhere on the server; its size is in the audit
    log and in the response's X-Segment-Count header."""
    if not may_export_segments(request.user):
        raise PermissionDenied
    segment = get_segment(key=key)
    try:
        export = export_segment(
            segment_key=segment.key,
            platform=request.POST.get("platform", ""),
            actor=actor_of(request.user),
        )
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    response = StreamingHttpResponse(
        csv_lines([export.header, *export.rows]), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"segment-{export.segment}-{export.platform}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Segment-Count"] = str(export.count)
    response["Cache-Control"] = "no-store"
    return response
