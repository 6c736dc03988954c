"""The privacy portal: asking, verifying by link, following a request, and the report downloads.

Views decide nothing about access themselves: a request is reached only through
selectors.get_request_for_session (the browser verified it by link, recently), and every action
is a service.
"""

import io
import json
import logging
import uuid
import zipfile

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consent.state import COOKIE_NAME as CONSENT_COOKIE
from consent.state import ConsentCookie
from rights import access_report, report_page, selectors
from rights.forms import RIGHT_CHOICES, PortalForm, analytics_client_id_from_cookie
from rights.reports import csv_lines
from rights.services import access, opening
from rights.services.links import LinkExpired, LinkInvalid
from rights.services.steps import PERSON
from rights.tokens import download_token, download_token_state
from wekst.public_forms import HONEYPOT_FIELD, PublicForm, Verdict

logger = logging.getLogger(__name__)

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    # Both files in one download (Art. 20: to keep, or to take elsewhere in one piece).
    "zip": "application/zip",
}


PORTAL_FORM = PublicForm(name="privacy portal", limits="RIGHTS", scope="rights", logger=logger)
NEW_LINK_BUTTON = PublicForm(
    name="new link button", limits="RIGHTS", scope="rights:new-link", logger=logger
)


def _render_portal(request, form, status: int = 200):
    """Step one, the choice of a right in plain words; step two, only that right's fields. Both
    server-rendered (`?right=<kind>`), so the portal works without JavaScript."""
    kind = form.data.get("kind") if form.is_bound else form.initial.get("kind")
    context = {"form": form, "honeypot_field": HONEYPOT_FIELD, "choices": RIGHT_CHOICES}
    chosen = next((c for c in RIGHT_CHOICES if c[0] == kind), None)
    if chosen is not None:
        context.update(
            chosen=chosen,
            fields=form.fields_for_right(kind),
            browser_ids=bool(form["consent_id"].value() or form["analytics_client_id"].value()),
        )
    return render(request, "rights/portal.html", context, status=status)


def _initial_from_browser(request) -> dict[str, str]:
    """The browser's own identifiers, offered (never sent anywhere) for the person to include."""
    cookie = ConsentCookie.decode(request.COOKIES.get(CONSENT_COOKIE))
    return {
        "consent_id": str(cookie.consent_id) if cookie else "",
        "analytics_client_id": analytics_client_id_from_cookie(request.COOKIES.get("_ga")),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def portal(request):
    """Ask for any right without an account (RIG-01). Every valid submission gets the same
    answer and takes the same path, known address or not: the request is stored and a link is
    queued to the address, never sent inline (RIG-02)."""
    if request.method != "POST":
        initial = {**_initial_from_browser(request), "kind": request.GET.get("right", "")}
        return _render_portal(request, PortalForm(initial=initial))
    if request.POST.get("step") == "choose":
        # Step one sent without JavaScript: the chosen right's form, nothing checked or stored.
        fields = ("kind", "consent_id", "analytics_client_id")
        initial = {f: request.POST.get(f, "") for f in fields}
        initial["activities"] = request.POST.getlist("activities")
        return _render_portal(request, PortalForm(initial=initial))
    form = PortalForm(request.POST)
    verdict = PORTAL_FORM.screen(request, form)
    if verdict is Verdict.BOT:
        return redirect("rights:sent")
    if verdict is not Verdict.ACCEPTED:
        return _render_portal(request, form, status=429 if verdict is Verdict.TOO_MANY else 400)
    data = form.cleaned_data
    opening.open_request(
        kind=data["kind"],
        email=data["email"],
        details=data["details"],
        corrections=form.corrections(),
        clinic_name=data["clinic_name"],
        clinic_email=data["clinic_email"],
        consent_ids=[data["consent_id"]] if data["consent_id"] else [],
        analytics_client_ids=[data["analytics_client_id"]] if data["analytics_client_id"] else [],
        objected_activities=data["activities"],
        language=get_language(),
    )
    return redirect("rights:sent")


@require_safe
def sent(request):
    return render(request, "rights/sent.html", {"hours": settings.RIGHTS_VERIFICATION_HOURS})


def _link_refused(request, state: str):
    status = 410 if state == "expired" else 404
    return render(request, "rights/link_refused.html", {"expired": status == 410}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request, token: str):
    """GET shows a button; only the POST verifies, because mail scanners fetch links."""
    if request.method != "POST":
        state = selectors.link_state(token=token)
        if state != "valid":
            return _link_refused(request, state)
        return render(request, "rights/verify.html")
    try:
        verified = opening.verify_request(token=token)
    except LinkExpired:
        return _link_refused(request, "expired")
    except LinkInvalid:
        return _link_refused(request, "invalid")
    # A new session key at the moment of authentication (no session fixation).
    request.session.cycle_key()
    grants = dict(request.session.get(selectors.SESSION_GRANTS, {}))
    grants[str(verified.public_id)] = timezone.now().isoformat()
    request.session[selectors.SESSION_GRANTS] = grants
    return redirect("rights:detail", public_id=verified.public_id)


def _download_links(privacy_request) -> dict[str, str]:
    links = {}
    for format in FORMATS:
        path = reverse(
            "rights:download", kwargs={"public_id": privacy_request.public_id, "format": format}
        )
        token = download_token(public_id=privacy_request.public_id, format=format)
        links[format] = f"{path}?t={token}"
    return links


@never_cache
@require_safe
def detail(request, public_id: uuid.UUID):
    """The person's request: its state and deadline, and for access its report and downloads.
    Without a recent verification in this browser, the same page for every id: ask for a link."""
    privacy_request = _verified_in_this_browser(request, public_id)
    if privacy_request is None:
        return _sign_in_again(request, public_id)
    available = selectors.report_is_available(privacy_request)
    return render(
        request,
        "rights/detail.html",
        {
            "privacy_request": privacy_request,
            "report_available": available,
            "downloads": _download_links(privacy_request) if available else {},
            "minutes": settings.RIGHTS_DOWNLOAD_LINK_MINUTES,
            "erasure_report": privacy_request.erasure_report,
        },
    )


def _verified_in_this_browser(request, public_id: uuid.UUID):
    """The request, or None when this browser has not verified it within the portal session."""
    try:
        return selectors.get_request_for_session(public_id=public_id, session=request.session)
    except Http404:
        return None


def _sign_in_again(request, public_id: uuid.UUID, status: int = 200):
    """The same page for every id: open the request from a new link, which we offer to send.
    Also for a report or download opened after the session ended (a tab left open, a link in
    another browser), which had answered "there is no page at this address"."""
    return render(request, "rights/sign_in_again.html", {"public_id": public_id}, status=status)


def _report_for(request, privacy_request):
    if not selectors.report_is_available(privacy_request):
        raise Http404
    return access_report.build_access_report(
        subject=privacy_request.subject,
        consent_ids=privacy_request.consent_ids,
        language=get_language(),
    )


@never_cache
@require_safe
def report(request, public_id: uuid.UUID):
    """The readable copy of everything about the person, with the Art. 15(1) information."""
    privacy_request = _verified_in_this_browser(request, public_id)
    if privacy_request is None:
        return _sign_in_again(request, public_id, status=404)
    access_report = _report_for(request, privacy_request)
    access.record_report_export(request=privacy_request, actor=PERSON, format="page")
    return render(
        request,
        "rights/report.html",
        {
            "privacy_request": privacy_request,
            "report": access_report,
            "groups": report_page.groups_of(access_report),
            "rights": access_report.rights(),
            "downloads": _download_links(privacy_request),
            "minutes": settings.RIGHTS_DOWNLOAD_LINK_MINUTES,
        },
    )


@never_cache
@require_safe
def download(request, public_id: uuid.UUID, format: str):
    """JSON or CSV through a short-lived signed link, in the verified session only (RG-07)."""
    if format not in FORMATS:
        raise Http404
    state = download_token_state(token=request.GET.get("t", ""), public_id=public_id, format=format)
    if state != "valid":
        return render(
            request,
            "rights/download_expired.html",
            {"public_id": public_id, "expired": state == "expired"},
            status=410 if state == "expired" else 404,
        )
    privacy_request = _verified_in_this_browser(request, public_id)
    if privacy_request is None:
        return _sign_in_again(request, public_id, status=404)
    access_report = _report_for(request, privacy_request)
    access.record_report_export(request=privacy_request, actor=PERSON, format=format)
    return report_response(access_report, format=format)


def report_response(access_report, *, format: str) -> HttpResponse:
    """The report as a download (shared with the back office)."""
    stamp = timezone.localtime(access_report.generated_at).strftime("%Y%m%d-%H%M")
    filename = f"wekst-data-{stamp}.{format}"
    if format == "json":
        response = HttpResponse(_json_text(access_report), content_type=FORMATS["json"])
    elif format == "zip":
        response = HttpResponse(_zip_bytes(access_report, stamp=stamp), content_type=FORMATS["zip"])
    else:
        response = StreamingHttpResponse(csv_lines(access_report), content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _json_text(access_report) -> str:
    return json.dumps(access_report.as_json(), ensure_ascii=False, indent=2, default=str)


def _zip_bytes(access_report, *, stamp: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"wekst-data-{stamp}.json", _json_text(access_report))
        archive.writestr(f"wekst-data-{stamp}.csv", "".join(csv_lines(access_report)))
    return buffer.getvalue()


@require_POST
def new_link(request, public_id: uuid.UUID):
    """Ask for a fresh link to a verified request; the same answer whatever the id."""
    if NEW_LINK_BUTTON.client_may_submit(request):
        access.issue_new_link(public_id=str(public_id))
    return render(request, "rights/sent.html", {"hours": settings.RIGHTS_VERIFICATION_HOURS})
