"""The complaint as a case type of the SLA engine (``sla.cases``), registered in ``ComplaintsConfig.ready``.

The clocks run under the complaint policy (SPEC §3: acknowledge within 1 business hour,
classify and name an owner within 1 business hour of receipt, resolve within 15 working
days by default). The milestones are declared in the transition table (``complaints/workflow.py``):
acknowledging meets ``acknowledge``, classifying meets ``classify``, resolving meets
``resolution``; waiting for the customer is the ``customer`` wait. Escalations go to the
leads of the owner's department and to the owner; notifications link to the work order the
complaint is about, when there is one.
"""

from django.utils.translation import gettext_lazy as _

from sla.cases import CaseTexts, CaseType, MatchKeys
from sla.models import CaseKind

from .models import Complaint, ComplaintClock, ComplaintEvent, ComplaintSla, complaint_number
from .permissions import visible_to
from .workflow import COMPLAINT as FLOW


def _keys(complaint: Complaint) -> MatchKeys:
    customer = complaint.customer
    return MatchKeys(customer_tier=customer.tier, region=customer.region)


COMPLAINT = CaseType(
    code=CaseKind.COMPLAINT,
    label=_("Complaint"),
    subject_model=Complaint,
    clock_model=ComplaintClock,
    subject_field="complaint",
    event_model=ComplaintEvent,
    snapshot_model=ComplaintSla,
    texts=CaseTexts(
        not_found=_("Complaint not found."),
        no_such_clock=_("This complaint has no such clock."),
        extended_subject=_("Complaint %(number)s: new deadline"),
        extended_body=_(
            "We need more time for your complaint %(number)s. The new deadline is %(due)s. Reason: %(reason)s"
        ),
        at_risk_subject=_("SLA at risk: complaint %(number)s, %(clock)s"),
        at_risk_body=_("The %(clock)s deadline of complaint %(number)s is %(due)s. Escalated to the supervisors."),
        breached_subject=_("SLA breached: complaint %(number)s, %(clock)s"),
        breached_body=_("The %(clock)s deadline of complaint %(number)s passed at %(due)s. Escalated to the managers."),
    ),
    number=complaint_number,
    keys=_keys,
    visible_to=visible_to,
    customer_user=lambda complaint: complaint.customer.user,
    meets=FLOW.meets(),
    starts=FLOW.starts(),
    waits=FLOW.waits,
    assignee_field="owner",
    team_field="department",
    link_field="order_id",
)
