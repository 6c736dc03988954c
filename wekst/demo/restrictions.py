"""Demo objections, restrictions and legal holds: what stops a processing for one person, or keeps
their data past its rule, each made by the request or step that makes it in real use.

Each objector and restricted person first becomes known as real people do (an enquiry, a fair, a
clinic's manager); the objection or restriction then comes from a privacy request received by
email, so each has its request, audit entries and the emails the person and staff are sent
(queued; the demo sends nothing itself).
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser

from clinics.models import Clinic
from clinics.services import add_clinic_contact
from leads.models import Lead
from leads.other_sources import enter_lead_from_other_source
from leads.services import submit_enquiry
from retention.models import LegalHold
from retention.services import lift_legal_hold, place_legal_hold
from rights.models import Objection, Request, Restriction
from rights.services.objections import record_objection_grounds
from rights.services.opening import open_request
from rights.services.restriction import lift_restriction
from subjects.selectors import find_subjects
from subjects.services import find_or_create_subject
from wekst.demo.people import LEADS
from wekst.demo.registers import CLINIC_CONTACTS, CLINICS

ACTOR = "system:demo"
CHECKED = "Demo: replied from the address on record."
# Each: (name, address), on example.com, reserved for examples (RFC 2606).
OBJECTORS = {
    "in_force": ("Sindre Bakke", "sindre.bakke@example.com"),
    "grounds": ("Marte Lie", "marte.lie@example.com"),
    "marketing": ("Tor Nygaard", "tor.nygaard@example.com"),
}
RESTRICTED = {
    "in_force": ("Hanne Solberg", "hanne.solberg@example.com"),
    "lifted": ("Eirik Berg", "eirik.berg@example.com"),
}
# Each one's enquiry (company, role) and what they contest in it.
RESTRICTION_REQUESTS = {
    "in_force": (
        "Solberg Tannlegesenter", "Klinikkleder",
        "Demo: I left the clinic in the spring; stop using my data until your records are right.",
    ),
    "lifted": ("Berg Fysio", "", "Demo: my company is Berg Fysioterapi AS, not Berg Fysio."),
}  # fmt: skip
# Held: the demo clinic contact (an invoice in dispute); lifted: the first contact-form lead.
HELD = CLINIC_CONTACTS[0][1]
HOLD_LIFTED = LEADS[0][1]


def load_objections() -> None:
    """One objection in force with its month to weigh grounds, one whose grounds wait for a second
    person's review (the demo user may review them: they were recorded by someone else), and one
    to direct marketing, absolute at once (Art. 21)."""
    if Objection.objects.filter(subject__email=OBJECTORS["in_force"][1]).exists():
        return
    name, email = OBJECTORS["in_force"]
    # A prospect met at a fair, told under Art. 14, who objects to being contacted that way.
    enter_lead_from_other_source(
        source_kind=Lead.SourceKind.EVENT, name=name, email=email, company="Bakke Tannhelse AS",
        source_description="Demo: Nordiske tannhelsedager, Oslo Spektrum, stand 14",
        language="nb", actor=ACTOR,
    )  # fmt: skip
    _object(email, kind=Request.Kind.OBJECTION_LI, activities=["leads_from_other_sources"])
    name, email = OBJECTORS["grounds"]
    _enquire(name=name, email=email, company="Lie Hudpleie")
    request = _object(email, kind=Request.Kind.OBJECTION_LI, activities=["website_security"])
    record_objection_grounds(
        objection_id=request.objections.get().pk, ground=Objection.Ground.COMPELLING,
        reason="Demo: the security log of this address is part of an open investigation of spam "
        "sent through the contact form; it is kept only for the declared period.",
        actor=ACTOR,
    )  # fmt: skip
    # A client's manager, who wants no more marketing from Wekst.
    name, email = OBJECTORS["marketing"]
    sor = Clinic.objects.get(slug=CLINICS[1][0])
    add_clinic_contact(clinic=sor, name=name, email=email, role="Daglig leder")
    _object(email, kind=Request.Kind.OBJECTION)


def _object(email: str, *, kind: str, activities: list[str] | None = None) -> Request:
    return open_request(
        kind=kind, email=email, received_via=Request.ReceivedVia.EMAIL, identity_check=CHECKED,
        objected_activities=activities or [], language="nb", actor=ACTOR,
    )  # fmt: skip


def _enquire(*, name: str, email: str, company: str, role: str = "") -> None:
    submit_enquiry(
        kind=Lead.Kind.CONTACT, name=name, email=email, company=company, role=role,
        message="Demo: kan dere hjelpe oss med å få flere kunder?", source="contact_form",
        language="nb",
    )  # fmt: skip


def load_restrictions() -> None:
    """A restriction in force while the person contests their data (Art. 18(1)(a)), passed on to
    the processors holding it, and one lifted once the data was corrected (Art. 18(3))."""
    if Restriction.objects.filter(subject__email=RESTRICTED["in_force"][1]).exists():
        return
    for key, (company, role, details) in RESTRICTION_REQUESTS.items():
        name, email = RESTRICTED[key]
        _enquire(name=name, email=email, company=company, role=role)
        open_request(
            kind=Request.Kind.RESTRICTION, email=email, details=details,
            received_via=Request.ReceivedVia.EMAIL, identity_check=CHECKED, language="nb",
            actor=ACTOR,
        )  # fmt: skip
    lifted = Restriction.objects.get(subject__email=RESTRICTED["lifted"][1])
    lift_restriction(
        restriction_id=lifted.pk, actor=ACTOR,
        reason="Demo: the company name was corrected and the person confirmed it by email.",
    )  # fmt: skip


def load_legal_holds(*, user: AbstractBaseUser, now: datetime.datetime) -> None:
    """A hold in force over an invoice in dispute, and one lifted once a complaint was settled:
    the retention sweep skips a held person's records until the hold is lifted (Art. 17(3)(e))."""
    if LegalHold.objects.exists():
        return
    place_legal_hold(
        subject=find_or_create_subject(email=HELD), user=user,
        reason="Demo: the clinic disputes its invoice no. 0142 before Forliksrådet i Oslo; keep "
        "the correspondence until the case is closed.",
    )  # fmt: skip
    hold = place_legal_hold(
        subject=find_subjects(email=HOLD_LIFTED).get(), user=user,
        reason="Demo: a complaint to Datatilsynet about a follow-up email; keep until it is "
        "closed.",
    )  # fmt: skip
    # Placed six weeks ago, as the complaint's life would have it; lifted today.
    LegalHold.objects.filter(pk=hold.pk).update(placed_at=now - datetime.timedelta(days=42))
    lift_legal_hold(hold=hold, user=user)
