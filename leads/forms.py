"""The contact form and the information request form: only the declared fields (EM-02)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from declaration.selectors import age_of_consent, get_declaration
from leads.booking import Slot
from leads.models import Lead
from wekst.validators import validate_phone, validate_single_line, validate_text

MESSAGE_MAX_LENGTH = 5000


def marketing_consent_wording() -> str:
    """The exact words of the marketing choice, naming the channel and the sender (EM-03)."""
    controller = get_declaration().controller
    return str(
        _(
            "Yes, I would also like to receive the newsletter and other marketing emails from "
            "%(controller)s (%(trading_name)s). I can unsubscribe at any time with one click."
        )
        % {"controller": controller.legal_name, "trading_name": controller.trading_name}
    )


class LeadForm(forms.Form):
    """Name, email, phone, company/clinic, role, message; marketing consent apart and unticked."""

    name = forms.CharField(
        label=_("Name"), max_length=200, validators=[validate_single_line], strip=True
    )
    email = forms.EmailField(label=_("Email address"), max_length=254)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        validators=[validate_single_line, validate_phone],
    )
    company = forms.CharField(
        label=_("Company or clinic"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    role = forms.CharField(
        label=_("Your role"), max_length=100, required=False, validators=[validate_single_line]
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[validate_text],
        help_text=_(
            "Please do not include information about patients or anyone's health: we do not "
            "need it to answer you."
        ),
    )
    marketing_consent = forms.BooleanField(required=False, initial=False)
    # Marketing consent is a consent-based sign-up: only with the age confirmation of policy §12
    # (GDPR Art. 8; CHI-01). The enquiry itself needs none.
    age_confirmed = forms.BooleanField(required=False, initial=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marketing_consent"].label = marketing_consent_wording()
        self.fields["age_confirmed"].label = _(
            "I am %(age)s or older (needed only for marketing emails)"
        ) % {"age": age_of_consent()}
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["role"].widget.attrs["autocomplete"] = "organization-title"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("marketing_consent") and not cleaned.get("age_confirmed"):
            self.add_error(
                "age_confirmed",
                ValidationError(
                    _(
                        "To receive marketing emails you must be %(age)s or older: tick this "
                        "box, or untick the marketing choice to send only your message."
                    )
                    % {"age": age_of_consent()},
                    code="age",
                ),
            )
        return cleaned

    def clean_message(self) -> str:
        # Stored with the line breaks staff read, not the CRLF a browser sends for a textarea.
        return self.cleaned_data["message"].replace("\r\n", "\n")


class InformationRequestForm(LeadForm):
    """Only the email address is needed to send information; the rest is optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["message"].label = _("What would you like to receive?")


class MeetingRequestForm(LeadForm):
    """Asking for a growth meeting on our own page: staff confirm a time by email. The preferred
    times and the topic are stored with the message, where staff read them."""

    TOPICS = [
        ("", _("Choose a topic")),
        ("patients", _("More new patients")),
        ("website", _("Our website and online booking")),
        ("reporting", _("Measuring what our marketing brings")),
        ("privacy", _("Marketing and patient privacy")),
        ("other", _("Something else")),
    ]

    preferred_times = forms.CharField(
        label=_("When would suit you?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
        help_text=_("Two or three days and times, e.g. Tuesday morning or Thursday after 14:00."),
    )
    topic = forms.ChoiceField(label=_("What would you like to talk about?"), choices=TOPICS)
    field_order = ["name", "email", "phone", "company", "preferred_times", "topic", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]
        self.fields["company"].label = _("Clinic")
        self.fields["company"].required = True
        self.fields["message"].label = _("Anything we should know before the meeting?")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        topic = dict(self.TOPICS)[cleaned["topic"]]
        lines = [
            f"{_('Preferred times')}: {cleaned['preferred_times'].strip()}",
            f"{_('Topic')}: {topic}",
        ]
        if cleaned.get("message"):
            lines += ["", cleaned["message"]]
        # What the enquiry keeps: the preferred times and topic first, then the note.
        cleaned["message"] = "\n".join(lines)
        cleaned["role"] = ""
        return cleaned


SLOT_TAKEN = _("Sorry, that time has just been taken. Please choose another.")


class MeetingBookingForm(MeetingRequestForm):
    """Booking one of the provider's free times on our own page (leads.booking): the time, who
    the person is and what they want to talk about. The chosen time is checked against the
    provider's free times by the view, not here: a time taken meanwhile is a message, not a
    broken form. No marketing choice: booking a meeting is all this form does."""

    slot = forms.ChoiceField(
        label=_("Choose a time"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": SLOT_TAKEN},
    )
    field_order = ["slot", "name", "email", "phone", "company", "topic", "message"]

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("preferred_times", "marketing_consent", "age_confirmed"):
            del self.fields[name]
        # The times offered, and a posted one even if the provider cannot be asked just now: the
        # view decides whether it is still free, and keeps the visitor's input either way.
        self.slots = {slot.key: slot for slot in slots}
        posted = (
            Slot.from_key(self.data.get(self.add_prefix("slot"), "")) if self.is_bound else None
        )
        if posted is not None:
            self.slots.setdefault(posted.key, posted)
        self.fields["slot"].choices = [
            (key, formats.time_format(timezone.localtime(slot.starts_at), "H:i"))
            for key, slot in self.slots.items()
        ]

    def clean(self):
        cleaned = forms.Form.clean(self)
        if self.errors:
            return cleaned
        cleaned["slot"] = self.slots[cleaned["slot"]]
        if cleaned["slot"].starts_at <= timezone.now():
            self.add_error("slot", ValidationError(SLOT_TAKEN, code="invalid_choice"))
            return cleaned
        lines = [f"{_('Topic')}: {dict(self.TOPICS)[cleaned['topic']]}"]
        if cleaned.get("message"):
            lines += ["", cleaned["message"]]
        cleaned["message"] = "\n".join(lines)
        cleaned["role"] = ""
        return cleaned


class OtherSourceLeadForm(forms.Form):
    """Staff entering a person obtained from another source: the source is required, in a kind
    and in words the person will read in the Art. 14 notice (GDPR Art. 14(2)(f); TP-02)."""

    source_kind = forms.ChoiceField(
        label="Source kind", choices=[("", "---------"), *Lead.SourceKind.choices]
    )
    source_description = forms.CharField(
        label="Source",
        max_length=200,
        help_text='As the person will read it: "Nordic Dental Expo 2026", "Referral from Oslo '
        'Tannklinikk". Sent to the person in the Art. 14 notice.',
        validators=[validate_single_line],
    )
    name = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
    email = forms.EmailField(
        max_length=254,
        required=False,
        help_text="With an address, the Art. 14 notice is sent at once; without one, add it "
        "within a month.",
    )
    phone = forms.CharField(max_length=32, required=False, validators=[validate_phone])
    company = forms.CharField(
        label="Company/clinic", max_length=200, required=False, validators=[validate_single_line]
    )
    role = forms.CharField(max_length=100, required=False, validators=[validate_single_line])
    message = forms.CharField(
        label="Notes",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="No health or patient information.",
    )
    language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        initial="nb",
        help_text="The language of the Art. 14 notice; Norwegian when not known.",
    )


class NoticeExceptionForm(forms.Form):
    """Leaving out the Art. 14 notice: only on a ground of Art. 14(5), with a written reason."""

    ground = forms.ChoiceField(choices=[("", "---------"), *Lead.NoticeException.choices])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the ground applies; for (b), why informing the person is impossible or "
        "disproportionate, and how their interests are protected instead (e.g. the policy states "
        "the source).",
    )
