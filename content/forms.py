"""The public forms: comment, sign-up, sign-in, profile, profile deletion, child's-data report.

Each collects only what its purpose needs; the consent-based ones (comment, sign-up) ask for the
age confirmation of policy §12 (CHI-01), never ticked in advance.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from content.fields import CleanImageFormField
from declaration.selectors import age_of_consent
from wekst.validators import validate_single_line, validate_text

COMMENT_MAX_LENGTH = 3000
REPORT_MAX_LENGTH = 2000


def _age_label() -> str:
    return gettext("I am %(age)s or older") % {"age": age_of_consent()}


def _age_refusal() -> str:
    return gettext(
        "You must be %(age)s or older to do this. Nothing you entered has been stored."
    ) % {"age": age_of_consent()}


class AgeConfirmationField(forms.BooleanField):
    """The "I am 16 or older" box (the declaration's children.age_of_consent): required, never
    pre-ticked.

    Policy §12 and GDPR Art. 8: someone younger cannot give consent on their own, so nothing
    they entered is stored (checklist CH-01). Label and message are lazy, so they follow the
    page's language and the threshold in force.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("label", lazy(_age_label, str)())
        super().__init__(**kwargs)
        self.error_messages["required"] = lazy(_age_refusal, str)()


class HoneypotForm(forms.Form):
    """Adds the hidden field that only bots fill in (wekst.public_forms.HONEYPOT_FIELD; the
    template renders it hidden, and the view's guard drops what fills it)."""

    website = forms.CharField(label=_("Leave this field empty"), required=False)


class CommentForm(HoneypotForm):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[validate_single_line])
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("Never published."),
    )
    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_text],
    )
    age_confirmed = AgeConfirmationField()

    field_order = ["name", "email", "text", "age_confirmed", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class SignupForm(UserCreationForm):
    """Username, email, password (twice), optional name, age confirmation, honeypot."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        validators=[validate_single_line],
        help_text=_("Shown with your comments instead of your username, if you give one."),
    )
    age_confirmed = AgeConfirmationField()
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "Letters, digits and @/./+/-/_ only. You cannot change it later yourself."
        )
        # Django's check lets through a letter drawn as nothing (a Hangul filler): shown with
        # comments, such a username would be a blank author.
        self.fields["username"].validators.append(validate_single_line)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class LoginForm(AuthenticationForm):
    """Sign-in for registered users. Staff sign in to the back office, with its second factor."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_staff or user.is_superuser:
            raise ValidationError(
                _("Staff accounts sign in through the back office."), code="staff"
            )


class ProfileForm(forms.Form):
    """What a registered user may change themselves: everything but the username (§7)."""

    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, validators=[validate_single_line]
    )
    email = forms.EmailField(label=_("Email address"), max_length=254)
    bio = forms.CharField(
        label=_("About you"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_text],
    )
    avatar = CleanImageFormField(
        label=_("Profile picture"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP. We remove location (GPS) and all other hidden information "
            "from the picture before storing it."
        ),
    )

    def avatar_change(self):
        """A new CleanImage, False to remove the picture, or None to keep it."""
        avatar = self.cleaned_data.get("avatar")
        if avatar is False or getattr(avatar, "metadata_removed", False):
            return avatar
        return None


class DeleteProfileForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    delete_comments = forms.BooleanField(
        label=_("Also delete the comments I posted while signed in"),
        required=False,
        help_text=_(
            "If you leave this unticked, your comments stay published without your name: "
            "nothing in them will point to you any more, except what you wrote in them."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                _("That is not your password. Nothing has been deleted."), code="password"
            )
        return password


class ChildReportForm(HoneypotForm):
    """A report that a child's data was given to us (policy §12): no account needed."""

    email = forms.EmailField(
        label=_("The email address the child's information was given with"),
        max_length=254,
    )
    details = forms.CharField(
        label=_("What was given, and where (optional)"),
        max_length=REPORT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_text],
        help_text=_("For example: a comment, a newsletter sign-up, the contact form."),
    )
    reporter_email = forms.EmailField(
        label=_("Your email address, if you want us to tell you when it is done (optional)"),
        max_length=254,
        required=False,
    )

    field_order = ["email", "details", "reporter_email", "website"]
