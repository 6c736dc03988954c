"""Public pages: home, articles with comments, registered users' accounts, the child's-data report.

Thin: forms check the input, services in content.services do the work, selectors read.
"""

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.static import serve

from content import selectors, services
from content import signup as sign_up
from content.forms import (
    ChildReportForm,
    CommentForm,
    DeleteProfileForm,
    LoginForm,
    ProfileForm,
    SignupForm,
)
from content.models import Comment
from content.rendering import render_body
from declaration.selectors import age_of_consent
from wekst.addresses import normalise_email
from wekst.public_forms import HONEYPOT_FIELD, PublicForm, Verdict
from wekst.ratelimit import client_ip

logger = logging.getLogger(__name__)

ARTICLES_PER_PAGE = 10
LOGIN_URL = reverse_lazy("content:login")
# What the article page says after a comment was sent (?comment=…): no personal data in the URL.
COMMENT_OUTCOMES = {"pending", "published"}


COMMENT_FORM = PublicForm(
    name="comment form", limits="CONTENT", scope="content:comment", logger=logger
)
SIGNUP_FORM = PublicForm(
    name="sign-up form", limits="CONTENT", scope="content:signup", logger=logger
)
SIGN_IN_FORM = PublicForm(
    name="sign-in form", limits="CONTENT", scope="content:login", logger=logger
)
CHILD_REPORT_FORM = PublicForm(
    name="child report form", limits="CONTENT", scope="content:child-report", logger=logger
)


def _status(verdict: Verdict) -> int:
    return 429 if verdict is Verdict.TOO_MANY else 400


@require_safe
def article_list(request):
    page = Paginator(selectors.published_articles(), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "content/article_list.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
def article_detail(request, slug: str):
    """An article, its approved comments, and the comment form (COM-01)."""
    article = selectors.get_published_article(slug=slug)
    profile = selectors.get_profile_of(request.user)
    if request.method != "POST":
        initial = {"name": profile.display_name, "email": profile.user.email} if profile else {}
        return _render_article(request, article, CommentForm(initial=initial))
    form = CommentForm(request.POST)
    done = reverse("content:article", kwargs={"slug": article.slug})
    # Closed to everyone alike, so a bot learns no more than a person (COM-01).
    if not article.allow_comments:
        form.add_error(None, _("Comments are closed for this article."))
        return _render_article(request, article, form, status=400)
    verdict = COMMENT_FORM.screen(request, form)
    if verdict is Verdict.BOT:
        # It gets the answer a person would, and nothing is stored.
        return redirect(f"{done}?comment=pending#comments")
    if verdict is not Verdict.ACCEPTED:
        return _render_article(request, article, form, status=_status(verdict))
    data = form.cleaned_data
    own_address = profile and normalise_email(data["email"]) == normalise_email(profile.user.email)
    comment = services.post_comment(
        article=article,
        name=data["name"],
        email=data["email"],
        text=data["text"],
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        language=get_language(),
        profile=profile if own_address else None,
    )
    outcome = "published" if comment.status == Comment.Status.APPROVED else "pending"
    return redirect(f"{done}?comment={outcome}#comments")


def _render_article(request, article, form, status: int = 200):
    outcome = request.GET.get("comment")
    context = {
        "article": article,
        "body": render_body(article.body),
        "comments": selectors.approved_comments(article=article),
        "form": form,
        "honeypot_field": HONEYPOT_FIELD,
        "comment_outcome": outcome if outcome in COMMENT_OUTCOMES else "",
        "profile": selectors.get_profile_of(request.user),
    }
    return render(request, "content/article_detail.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """Optional registration for commenters (USR-01), with the age confirmation (CHI-01)."""
    if request.method != "POST":
        return _render_signup(request, SignupForm())
    form = SignupForm(request.POST)
    verdict = SIGNUP_FORM.screen(request, form, address_field=None)
    if verdict is Verdict.BOT:
        return redirect("content:home")
    if verdict is not Verdict.ACCEPTED:
        return _render_signup(request, form, status=_status(verdict))
    data = form.cleaned_data
    try:
        sign_up.start_sign_up(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            name=data["name"],
        )
    except ValidationError as error:
        form.add_error("username", error)
        return _render_signup(request, form, status=400)
    # The same answer for a free and a taken address: what differs is in the inbox.
    return redirect("content:signup_sent")


@never_cache
@require_http_methods(["GET", "HEAD"])
def signup_sent(request):
    return render(request, "content/account/signup_sent.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup_confirm(request, token: str):
    """The link from the sign-up email: a button (a mail scanner's GET creates nothing), then
    the account, signed in."""
    if request.method == "POST":
        try:
            profile = sign_up.confirm_sign_up(token=token)
        except sign_up.LinkInvalid:
            return render(
                request, "content/account/signup_confirm.html", {"invalid": True}, status=400
            )
        login(request, profile.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("content:profile")
    return render(request, "content/account/signup_confirm.html", {"invalid": False})


def _render_signup(request, form, status: int = 200):
    return render(
        request,
        "content/account/signup.html",
        {"form": form, "honeypot_field": HONEYPOT_FIELD},
        status=status,
    )


class SignInView(LoginView):
    """Sign-in for registered users, rate-limited per client address and per username."""

    template_name = "content/account/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("content:profile")

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        # Counted before the password is checked: guessing is what the limits are for.
        if not (
            SIGN_IN_FORM.client_may_submit(request) and SIGN_IN_FORM.address_may_submit(username)
        ):
            form = self.get_form()
            SIGN_IN_FORM.refuse(form)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class SignOutView(LogoutView):
    next_page = reverse_lazy("content:home")


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    """The registered user's own profile: view and edit everything but the username (USR-01)."""
    own = selectors.get_profile_of(request.user)
    if own is None:
        raise Http404("This account has no profile")
    initial = {"name": own.name, "email": own.user.email, "bio": own.bio, "avatar": own.avatar}
    if request.method != "POST":
        return _render_profile(request, own, ProfileForm(initial=initial))
    form = ProfileForm(request.POST, request.FILES, initial=initial)
    if not form.is_valid():
        return _render_profile(request, own, form, status=400)
    data = form.cleaned_data
    try:
        services.update_profile(
            profile=own,
            name=data["name"],
            email=data["email"],
            bio=data["bio"],
            avatar=form.avatar_change(),
        )
    except ValidationError as error:
        form.add_error("email", error)
        return _render_profile(request, own, form, status=400)
    return redirect(reverse("content:profile") + "?saved=1")


def _render_profile(request, own, form, status: int = 200):
    context = {
        "profile": own,
        "form": form,
        "comments": own.comments.select_related("article").order_by("-created_at"),
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "content/account/profile.html", context, status=status)


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "HEAD", "POST"])
def delete_profile(request):
    """Delete the account and its personal data, at any time (policy §7; USR-01)."""
    own = selectors.get_profile_of(request.user)
    if own is None:
        raise Http404("This account has no profile")
    form = DeleteProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.delete_profile(profile=own, delete_comments=form.cleaned_data["delete_comments"])
        logout(request)
        return redirect("content:profile_deleted")
    status = 400 if request.method == "POST" else 200
    context = {"profile": own, "form": form, "comment_count": own.comments.count()}
    return render(request, "content/account/delete.html", context, status=status)


@require_safe
def profile_deleted(request):
    return render(request, "content/account/deleted.html")


@require_http_methods(["GET", "HEAD", "POST"])
def child_report(request):
    """Report that a child's data was given to us (policy §12; CHI-01). Every report gets the
    same answer, so it never reveals whether the address is known."""
    if request.method != "POST":
        return _render_child_report(request, ChildReportForm())
    form = ChildReportForm(request.POST)
    verdict = CHILD_REPORT_FORM.screen(request, form, address_field=None)
    if verdict is Verdict.BOT:
        return redirect("content:child_report_thanks")
    if verdict is not Verdict.ACCEPTED:
        return _render_child_report(request, form, status=_status(verdict))
    data = form.cleaned_data
    services.report_child_data(
        email=data["email"],
        details=data["details"],
        reporter_email=data["reporter_email"],
        language=get_language(),
    )
    return redirect("content:child_report_thanks")


def _render_child_report(request, form, status: int = 200):
    return render(
        request,
        "content/children/report.html",
        {
            "form": form,
            "honeypot_field": HONEYPOT_FIELD,
            "minimum_age": age_of_consent(),
        },
        status=status,
    )


@require_safe
def child_report_thanks(request):
    return render(
        request, "content/children/thanks.html", {"due_days": settings.CHILD_REPORT_DUE_DAYS}
    )


@require_safe
def serve_media(request, path: str):
    """An uploaded image, where the app serves media itself (WEKST_SERVE_MEDIA; not production,
    where the web server serves MEDIA_ROOT)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
