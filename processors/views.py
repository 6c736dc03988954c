"""Pages of the processors area: the public sub-processor list, and for staff the contract and
accounting documents (private files). The clinics' pages are in clinics.views."""

import mimetypes

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from declaration.selectors import get_declaration
from processors import selectors
from processors.storage import private_documents


@require_safe
def subprocessors(request):
    processors, others = selectors.published_recipients()
    return render(
        request,
        "processors/subprocessors.html",
        {"declaration": get_declaration(), "processors": processors, "others": others},
    )


# Who may read what: the contracts are the privacy officer's (staff.roles), not every staff
# member's. The clinics' agreements and accounting documents share this private storage; they are
# read with the view permission of their own records (clinics app).
DOCUMENT_PERMISSIONS = {
    "register/": ("processors.view_recipient",),
    "clinics/": ("clinics.view_clinicagreement",),
    "accounting/": (
        "clinics.view_primaryaccountingrecord",
        "clinics.view_secondaryaccountingrecord",
    ),
}


def _require(request, *permissions: str) -> None:
    if not any(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied


@require_safe
@staff_member_required
def document(request, name: str):
    """A contract or accounting document, to staff allowed to see its record (never public)."""
    permissions = next(
        (perms for prefix, perms in DOCUMENT_PERMISSIONS.items() if name.startswith(prefix)), None
    )
    if permissions is None:
        raise Http404
    _require(request, *permissions)
    try:
        if not private_documents.exists(name):
            raise Http404
        handle = private_documents.open(name, "rb")
    except (SuspiciousFileOperation, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        handle, as_attachment=True, filename=name.rsplit("/", 1)[-1], content_type=content_type
    )
