"""Privacy requests: receiving, verifying and answering each right, on time, with an audit trail.

Policy §8 (your rights, "we will respond within one month", "we may need to verify your identity")
and §9 (the right to complain); GDPR Art. 12 and 15-21; conformance items RIG-01 to RIG-06.
One module per thing the code does, so a rule is found from the file name:

    opening            receiving a request and verifying it by link
    links              the portal's single-use links; deleting requests whose link lapsed
    access             access and portability: the report in the portal, links to it
    erasure            erasing a person; the ledger replay after a restore
    restriction        restriction (Art. 18), and lifting a restriction or objection
    objections         objections (Art. 21), compelling grounds and their review
    withdrawal         withdrawal of consent (Art. 7(3))
    rectification      corrections (Art. 16)
    processor_notices  passing erasure, rectification, restriction on to processors (Art. 19)
    deadlines          extensions and reminders to staff
    refusals           refusing a request (Art. 12(4)-(5))
    clinics            forwarding a request to the clinic that is the controller
    closing            staff closing a request answered another way
    steps              what every request shares: audit, emails, locking, closing

Import from those modules. The names below keep the old import path (`rights.services`, one
module until issue 17) working for one release, as an alias; new code should not use it.
"""

from rights.services.access import issue_new_link, record_report_export, send_report_link
from rights.services.clinics import forward_to_clinic
from rights.services.closing import complete_request
from rights.services.deadlines import extend_request, send_deadline_reminders
from rights.services.erasure import (
    SUPERSEDED_BY_ERASURE,
    carry_out_erasure,
    erase_subject,
    reapply_erasure_ledger,
)
from rights.services.links import LinkExpired, LinkInvalid, delete_lapsed_requests
from rights.services.opening import (
    CHILD_REPORT_CHECK,
    CORRECTABLE_FIELDS,
    LINK_CHECK,
    STAFF_CHANNELS,
    open_request,
    verify_request,
)
from rights.services.processor_notices import (
    PROCESSOR_MAX_BACKOFF,
    mark_processor_notice_done,
    pass_on_notice,
    processor_retry_delay,
    retry_processor_notice,
)
from rights.services.processor_notices import (  # noqa: F401 - the old private names
    enqueue_processor_notice as _enqueue_processor_notice,
)
from rights.services.processor_notices import mark_done as _mark_done  # noqa: F401
from rights.services.rectification import apply_rectification
from rights.services.refusals import refuse_request
from rights.services.restriction import lift_restriction
from rights.services.steps import ACTIVITY, PERSON, SYSTEM, RequestNotAllowed

__all__ = [  # and, as before, _enqueue_processor_notice and _mark_done
    "ACTIVITY",
    "CHILD_REPORT_CHECK",
    "CORRECTABLE_FIELDS",
    "LINK_CHECK",
    "PERSON",
    "PROCESSOR_MAX_BACKOFF",
    "STAFF_CHANNELS",
    "SUPERSEDED_BY_ERASURE",
    "SYSTEM",
    "LinkExpired",
    "LinkInvalid",
    "RequestNotAllowed",
    "apply_rectification",
    "carry_out_erasure",
    "complete_request",
    "delete_lapsed_requests",
    "erase_subject",
    "extend_request",
    "forward_to_clinic",
    "issue_new_link",
    "lift_restriction",
    "mark_processor_notice_done",
    "open_request",
    "pass_on_notice",
    "processor_retry_delay",
    "reapply_erasure_ledger",
    "record_report_export",
    "refuse_request",
    "retry_processor_notice",
    "send_deadline_reminders",
    "send_report_link",
    "verify_request",
]
