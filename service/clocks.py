"""The work order as a case type of the SLA engine (``sla.cases``), registered in ``ServiceConfig.ready``.

The clock logic is ``sla.clocks``; the milestones are declared in the transition table
(``service/workflow.py``), which says how work orders move their clocks:
- ``response`` (and ``acknowledge``) are met when the order leaves ``new``: by
  ``acknowledge``, or by ``cancel`` (which cancels a running clock; a breached one stops late);
- ``classify`` is met by the actions that leave ``new`` or ``acknowledged`` for another state
  (the work-order policies have no ``classify`` clock; the rule is kept for a policy that adds one);
- ``onsite`` is met when work starts (``start``), and on-site orders only have it;
- ``resolution`` and ``fix`` are met by ``resolve``; ``fix`` starts with ``start``;
- waiting for the customer or for parts are the milestones ``customer`` and ``parts`` (the
  policy's ``pause_on`` says which pause the clocks); ``cancelled`` cancels the clocks.
"""

from django.utils.translation import gettext_lazy as _

from sla.cases import CaseTexts, CaseType, MatchKeys
from sla.models import CaseKind

from .choices import Mode, Status
from .models import OrderSla, WorkOrder, WorkOrderClock, WorkOrderEvent, order_number
from .permissions import visible_to
from .workflow import WORK_ORDER as FLOW


def _keys(order: WorkOrder) -> MatchKeys:
    customer = order.customer
    return MatchKeys(
        service_type=order.service_type,
        priority=order.priority,
        customer_tier=customer.tier,
        industrial=bool(order.product_model_id and order.product_model.line.is_industrial),
        region=customer.region,
    )


def _skips(order: WorkOrder) -> tuple[str, ...]:
    return ("onsite",) if order.mode == Mode.MAIL_IN else ()


WORK_ORDER = CaseType(
    code=CaseKind.WORK_ORDER,
    label=_("Work order"),
    subject_model=WorkOrder,
    clock_model=WorkOrderClock,
    subject_field="order",
    event_model=WorkOrderEvent,
    snapshot_model=OrderSla,
    texts=CaseTexts(
        not_found=_("Work order not found."),
        no_such_clock=_("This work order has no such clock."),
        extended_subject=_("Work order %(number)s: new deadline"),
        extended_body=_(
            "We need more time for your work order %(number)s. The new deadline is %(due)s. Reason: %(reason)s"
        ),
        at_risk_subject=_("SLA at risk: %(number)s, %(clock)s"),
        at_risk_body=_("The %(clock)s deadline of work order %(number)s is %(due)s. Escalated to the supervisors."),
        breached_subject=_("SLA breached: %(number)s, %(clock)s"),
        breached_body=_(
            "The %(clock)s deadline of work order %(number)s passed at %(due)s. Escalated to the managers."
        ),
    ),
    number=order_number,
    keys=_keys,
    visible_to=visible_to,
    customer_user=lambda order: order.customer.user,
    # the milestones are declared in the transition table (service/workflow.py)
    meets=FLOW.meets(),
    starts=FLOW.starts(),
    waits=FLOW.waits,
    cancel_states=frozenset({Status.CANCELLED}),
    skips=_skips,
    assignee_field="assignee",
    team_field="department",
    link_field="id",
)
