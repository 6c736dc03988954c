"""Back office for articles, comment moderation and registered users' profiles."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from audit.admin import AuditedModelAdmin
from audit.services import actor_of
from content import selectors, services
from content.models import Article, Comment, Page, Profile


@admin.register(Article)
class ArticleAdmin(AuditedModelAdmin):
    list_display = [
        "title",
        "is_published",
        "published_at",
        "allow_comments",
        "health_related",
        "updated_at",
    ]
    list_filter = ["is_published", "allow_comments", "health_related"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    fields = [
        "title",
        "slug",
        "body",
        "image",
        "image_description",
        "is_published",
        "published_at",
        "allow_comments",
        "health_related",
    ]


@admin.register(Page)
class PageAdmin(AuditedModelAdmin):
    """The website's own pages (home, services, about): both languages side by side."""

    list_display = ["slug", "title_en", "title_nb", "updated_at"]
    search_fields = ["title_en", "title_nb", "body_en", "body_nb"]
    fieldsets = [
        (None, {"fields": ["slug", "health_related"]}),
        ("English", {"fields": ["title_en", "description_en", "body_en"]}),
        ("Norsk", {"fields": ["title_nb", "description_nb", "body_nb"]}),
    ]


@admin.register(Comment)
class CommentAdmin(AuditedModelAdmin):
    """Moderation: new comments wait here as pending until approved or rejected (COM-01)."""

    list_display = ["name", "article", "short_text", "status", "auto_approved", "created_at"]
    list_filter = ["status", "auto_approved", "article"]
    search_fields = ["name", "text", "article__title"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]
    # What the commenter sent, and its metadata, is evidence: moderation changes only the status,
    # through the actions (each recorded in the audit log).
    readonly_fields = [
        "public_id",
        "article",
        "subject",
        "profile",
        "name",
        "text",
        "status",
        "auto_approved",
        "ip_address",
        "user_agent",
        "policy_version",
        "language",
        "created_at",
        "moderated_at",
    ]
    exclude = ["email_digest"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Comment")
    def short_text(self, comment: Comment) -> str:
        return comment.text if len(comment.text) <= 80 else comment.text[:79] + "…"

    @admin.action(description="Approve the selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED)

    @admin.action(description="Reject the selected comments", permissions=["change"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REJECTED)

    def _moderate(self, request, queryset, decision: Comment.Status) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        changed = services.moderate_comments(
            comment_ids=selected, decision=decision, actor=actor_of(request.user)
        )
        done = decision.label.lower()
        if changed:
            self.message_user(request, f"{changed} comment(s) {done}.", messages.SUCCESS)
        if len(selected) > changed:
            # Never "0 approved" in green: say that nothing changed for these, and why.
            self.message_user(
                request,
                f"{len(selected) - changed} comment(s) were {done} already: nothing changed.",
                messages.WARNING,
            )


class ProfileAdminForm(forms.ModelForm):
    """Administrators may also correct the username, which users cannot change (policy §7)."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254)

    class Meta:
        model = Profile
        fields = ["username", "email", "name", "bio", "avatar"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.get_username()
            self.fields["email"].initial = self.instance.user.email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        user_model = get_user_model()
        try:
            user_model._meta.get_field(user_model.USERNAME_FIELD).run_validators(username)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        taken = user_model.objects.filter(username=username).exclude(pk=self.instance.user_id)
        if taken.exists():
            raise ValidationError("This username is already taken.")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        user = self.instance.user if self.instance.user_id else None
        if selectors.account_with_address(email=email, other_than=user) is not None:
            raise ValidationError("Another account uses this email address.")
        return email


@admin.register(Profile)
class ProfileAdmin(AuditedModelAdmin):
    form = ProfileAdminForm
    list_display = ["__str__", "name", "email", "created_at"]
    search_fields = ["user__username", "user__email", "name"]
    list_select_related = ["user"]
    readonly_fields = [
        "public_id",
        "user_link",
        "subject",
        "age_confirmed_at",
        "policy_version",
        "created_at",
        "updated_at",
    ]
    fields = ["username", "email", "name", "bio", "avatar", *readonly_fields]

    def has_add_permission(self, request):
        # Profiles are made by the people themselves, when they register.
        return False

    @admin.display(description="Email")
    def email(self, profile: Profile) -> str:
        return profile.user.email

    # For a page seen without the right to change it, where the form's own field is not shown.
    @admin.display(description="Username")
    def username(self, profile: Profile) -> str:
        return profile.user.get_username()

    @admin.display(description="Sign-in account")
    def user_link(self, profile: Profile) -> str:
        try:
            url = reverse("admin:auth_user_change", args=[profile.user_id])
        except NoReverseMatch:
            return profile.user.get_username()
        return format_html('<a href="{}">{}</a>', url, profile.user.get_username())

    def save_model(self, request, obj, form, change):
        # Through the services, which check each change and write it to the audit log (so the
        # base class's own entry is not written twice).
        actor = actor_of(request.user)
        data = form.cleaned_data
        avatar = data.get("avatar")
        services.update_profile(
            profile=obj,
            name=data["name"],
            email=data["email"],
            bio=data["bio"],
            avatar=avatar
            if avatar is False or getattr(avatar, "metadata_removed", False)
            else None,
            actor=actor,
        )
        services.rename_user(profile=obj, username=data["username"], actor=actor)

    def delete_model(self, request, obj):
        services.delete_profile(profile=obj, delete_comments=False, actor=actor_of(request.user))

    def delete_queryset(self, request, queryset):
        for profile in queryset:
            self.delete_model(request, profile)
