"""The staff roles and what each may see and do, by app label and model (SEC-01; GDPR Art. 32(4)).

A grant names an app ("rights": every model of that app, including models added later) or one
model ("leads.lead"), with the actions allowed on it. `manage.py sync_roles` turns this into Django
groups and permissions, so a model another app adds is covered the next time it runs (bin/run
runs it after every migrate; so must a deployment).
"""

from dataclasses import dataclass

VIEW = ("view",)
EDIT = ("view", "change")
# Every permission of the model, including any custom one its app defines (e.g. an export).
EVERYTHING = ("*",)


@dataclass(frozen=True)
class Role:
    group: str  # the Django group's name
    grants: dict[str, tuple[str, ...]]


ADMINISTRATOR = Role(group="Administrator", grants={"*": EVERYTHING})

# Requests, breaches, retention and the register of processors and clinics are the privacy
# officer's work; answering a request needs reading every record about a person, never editing it
# outside the request's own workflow. "rights": EVERYTHING includes the steps with a permission of
# their own: refusing a request (rights.refuse_request, Art. 12(5)) and recording or reviewing
# grounds against an objection (rights.record_objection_grounds, rights.review_objection_grounds;
# Art. 21(1), four eyes: the reviewer is never the recorder). Sales has none of them.
PRIVACY_OFFICER = Role(
    group="Privacy officer",
    grants={
        "rights": EVERYTHING,
        "breaches": EVERYTHING,
        "retention": EVERYTHING,
        "processors": EVERYTHING,
        # The clinics (Wekst as processor) were part of "processors" until issue 17; their
        # permissions moved with them (clinics/migrations/0002), so the grant did too.
        "clinics": EVERYTHING,
        # The DPIA register and the campaigns for clinics (CL-06): the privacy officer keeps the
        # assessments, and sees every clinic's campaigns (each still starts only through
        # campaigns.services.start_campaign).
        "assessments": EVERYTHING,
        "campaigns": EVERYTHING,
        "audit": VIEW,
        "consent": VIEW,
        "subjects": VIEW,
        "leads": VIEW,
        "newsletter": VIEW,
        "mail": VIEW,
        "content": VIEW,
    },
)

# Sales works with leads, meetings and subscribers only: nothing of requests, breaches, the audit
# log, the consent log, or the subject index that links a person's records across the system.
SALES = Role(
    group="Sales",
    grants={
        # Adding: a lead from another source (an event, a referral), with its source (TP-02).
        "leads.lead": ("view", "add", "change"),
        "leads.meeting": EDIT,
        "newsletter.subscription": EDIT,
        "newsletter.issue": ("view", "add", "change"),
        "newsletter.delivery": VIEW,
        # The website's own pages hold no personal data; marketing keeps them up to date.
        "content.page": ("view", "add", "change"),
        # Campaigns for the clinics a person is assigned to (CL-02); a campaign starts only when
        # start_campaign allows it (CL-01, CL-06). The DPIA register itself is not Sales' work.
        "campaigns.campaign": ("view", "add", "change"),
    },
)

ROLES = (ADMINISTRATOR, PRIVACY_OFFICER, SALES)

# Roles whose work needs every clinic's data, not only the clinics a person is assigned to
# (clinics.selectors.clinics_visible_to; CL-02): the administrator runs the system, and the
# privacy officer answers requests forwarded by any clinic (CL-04) and assesses breaches that
# may touch any clinic's data (CL-05). Everyone else, Sales included, sees a clinic's data only
# when assigned to that clinic.
SEE_EVERY_CLINIC = (ADMINISTRATOR, PRIVACY_OFFICER)

# Roles that may see the audience segments of Wekst's own marketing and export one to a platform
# (policy §10; marketing.services): the privacy officer, and Sales, who run the marketing. Every
# export is audited.
EXPORT_SEGMENTS = (ADMINISTRATOR, PRIVACY_OFFICER, SALES)
