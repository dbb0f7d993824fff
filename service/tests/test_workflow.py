"""The work-order state machine: every (state, action) pair, the guards, the roles."""

import pytest

from accounts.choices import Role
from core.errors import Conflict
from core.models import AuditLog
from service import services
from service.choices import Coverage, Status
from service.customer_messages import ON_ACTION
from service.models import WorkOrder, WorkOrderEvent
from service.services import work_order_transition
from service.tests.flow import order_in, sign
from service.workflow import TRANSITIONS, available, target_state
from tests.factories import CustomerFactory, UserFactory

PAIRS = [(state, action) for state in Status for action in TRANSITIONS]


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user),
    }


def _order(people, state, **kw):
    return order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], **kw)


def _prepare_guards(order, action, people):
    """Make the guards of ``action`` hold, as the real work would."""
    if action == "resolve":
        services.report_save(
            order_id=order.pk, actor=people["engineer"], cause="Worn belt", process="Replaced it", minutes_spent=30
        )
    elif action == "accept":
        sign(order, accepted=True, by=people["agent"])
    elif action == "refuse":
        sign(order, accepted=False, by=people["agent"])


def _state(order) -> tuple:
    order = WorkOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.version,
        order.paused_from,
        order.events.count(),
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
    )


def _body(action):
    return {"action": action, "note": "Reason given.", **({"cause": "defect"} if action == "assess" else {})}


@pytest.mark.parametrize("state, action", PAIRS, ids=[f"{s.value}-{a}" for s, a in PAIRS])
def test_every_state_action_pair(people, api_as, state, action):
    # given an order in ``state`` (reached through the services) with the action's guards met
    order = _order(people, state)
    transition = TRANSITIONS[action]
    allowed = state in transition.sources
    if allowed:
        _prepare_guards(order, action, people)
    before = _state(order)
    events_before = list(WorkOrderEvent.objects.filter(order=order).values_list("pk", flat=True))

    # when an agent (a role allowed to take every action) takes it through the API
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/transitions", _body(action))

    # then
    if allowed:
        assert response.status_code == 200, response.json()
        order.refresh_from_db()
        expected = target_state(transition, WorkOrder(paused_from=before[2]))
        assert order.status == expected
        assert order.version == before[1] + 1
        new_events = WorkOrderEvent.objects.filter(order=order).exclude(pk__in=events_before)
        told = [("customer_notified", expected, expected, people["agent"].pk)] if action in ON_ACTION else []
        assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in new_events.order_by("id")] == [
            (action, state, expected, people["agent"].pk),
            *told,  # the customer's message of this move, recorded after it (service/customer_messages.py)
        ]
        assert response.json()["status"] == expected
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "invalid_transition"
        assert response.json()["message"]
        assert _state(order) == before


INVALID = [(s, a) for s, a in PAIRS if s not in TRANSITIONS[a].sources]


@pytest.mark.parametrize("state, action", INVALID, ids=[f"{s.value}-{a}" for s, a in INVALID])
def test_the_service_raises_conflict_on_an_invalid_pair(people, state, action):
    # given
    order = _order(people, state)
    before = _state(order)

    # when
    with pytest.raises(Conflict) as exc:
        work_order_transition(
            order_id=order.pk, action=action, actor=people["agent"], note="x", data={"cause": "defect"}
        )

    # then
    assert exc.value.code == "invalid_transition"
    assert _state(order) == before


def test_unknown_action_is_refused(people, api_as):
    # given
    order = _order(people, Status.NEW)
    before = _state(order)

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/transitions", {"action": "teleport"})

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_action"
    assert _state(order) == before


# --- guards -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote_decision, allowed",
    [(None, False), ("pending", False), ("rejected", False), ("approved", True)],
    ids=["no-quote", "pending-quote", "rejected-quote", "approved-quote"],
)
def test_paid_repair_is_scheduled_only_with_an_approved_quote(people, api_as, quote_decision, allowed):
    # given a paid repair (cause not covered), assessed
    order = _order(people, Status.ASSESSED, paid=True)
    assert order.coverage == Coverage.PAID
    if quote_decision:
        quote = services.quote_create(
            order_id=order.pk, actor=people["agent"], lines=[{"description": "Board", "unit_price": "300"}]
        )
        if quote_decision != "pending":
            services.quote_decide(
                quote_id=quote.pk, actor=people["customer_user"], approve=quote_decision == "approved"
            )
    before = _state(order)

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/transitions", {"action": "schedule"})

    # then
    if allowed:
        assert response.status_code == 200
        assert response.json()["status"] == Status.SCHEDULED
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "guard_quote_approved_if_paid"
        assert _state(order) == before


@pytest.mark.parametrize("has_approved_quote", [False, True], ids=["without-quote", "with-approved-quote"])
def test_paid_repair_cannot_start_without_an_approved_quote(people, api_as, has_approved_quote):
    # given a scheduled order that turned out to be a paid repair (e.g. re-assessed by phone)
    order = _order(people, Status.SCHEDULED)
    WorkOrder.objects.filter(pk=order.pk).update(coverage=Coverage.PAID)
    if has_approved_quote:
        quote = services.quote_create(
            order_id=order.pk, actor=people["agent"], lines=[{"description": "Fan", "unit_price": "80"}]
        )
        services.quote_decide(quote_id=quote.pk, actor=people["customer_user"], approve=True)
    before = _state(order)

    # when the assigned engineer tries to start
    response = api_as(people["engineer"]).post(f"/work-orders/{order.pk}/transitions", {"action": "start"})

    # then
    if has_approved_quote:
        assert response.status_code == 200
        assert response.json()["status"] == Status.IN_SERVICE
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "guard_quote_approved_if_paid"
        assert _state(order) == before


def test_resolve_needs_a_report(people, api_as):
    # given an order in service without a report
    order = _order(people, Status.IN_SERVICE)
    before = _state(order)

    # when
    response = api_as(people["engineer"]).post(f"/work-orders/{order.pk}/transitions", {"action": "resolve"})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "guard_has_report"
    assert _state(order) == before


@pytest.mark.parametrize(
    "signed, allowed",
    [(None, False), (False, False), (True, True)],
    ids=["unsigned", "refusal-signed", "acceptance-signed"],
)
def test_accept_needs_a_signed_acceptance(people, api_as, signed, allowed):
    # given a resolved order
    order = _order(people, Status.RESOLVED)
    if signed is not None:
        sign(order, accepted=signed, by=people["engineer"])
    before = _state(order)

    # when
    response = api_as(people["customer_user"]).post(f"/work-orders/{order.pk}/transitions", {"action": "accept"})

    # then
    if allowed:
        assert response.status_code == 200
        assert response.json()["status"] == Status.ACCEPTED
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "guard_has_signed_acceptance"
        assert _state(order) == before


def test_refuse_needs_a_signed_refusal(people, api_as):
    # given a resolved order whose latest signature is an acceptance
    order = _order(people, Status.RESOLVED)
    sign(order, accepted=True, by=people["engineer"])
    before = _state(order)

    # when
    response = api_as(people["customer_user"]).post(f"/work-orders/{order.pk}/transitions", {"action": "refuse"})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "guard_has_signed_refusal"
    assert _state(order) == before


CANCEL_SOURCES = sorted(TRANSITIONS["cancel"].sources)


@pytest.mark.parametrize("state", CANCEL_SOURCES, ids=str)
def test_customer_cancels_only_early(people, api_as, state):
    # given the customer's own order
    order = _order(people, state)
    before = _state(order)
    early = state in {Status.NEW, Status.ACKNOWLEDGED}

    # when
    response = api_as(people["customer_user"]).post(
        f"/work-orders/{order.pk}/transitions", {"action": "cancel", "note": "Fixed it myself."}
    )

    # then
    if early:
        assert response.status_code == 200
        assert response.json()["status"] == Status.CANCELLED
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "guard_customer_cancels_early_only"
        assert _state(order) == before


@pytest.mark.parametrize("state", CANCEL_SOURCES, ids=str)
def test_staff_cancel_from_any_cancellable_state(people, api_as, state):
    # given
    order = _order(people, state)

    # when
    response = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/transitions", {"action": "cancel", "note": "Duplicate."}
    )

    # then
    assert response.status_code == 200
    assert response.json()["status"] == Status.CANCELLED


@pytest.mark.parametrize("action", ["cancel", "reopen"], ids=str)
def test_cancel_and_reopen_need_a_reason(people, api_as, action):
    # given an order the action is possible on
    order = _order(people, Status.NEW if action == "cancel" else Status.RESOLVED)
    before = _state(order)

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/transitions", {"action": action, "note": "   "})

    # then
    assert response.status_code == 422
    assert "note" in response.json()["fields"]
    assert _state(order) == before


@pytest.mark.parametrize(
    "wait_from, wait",
    [
        (Status.ACKNOWLEDGED, "wait_customer"),
        (Status.ASSESSED, "wait_customer"),
        (Status.SCHEDULED, "wait_customer"),
        (Status.IN_SERVICE, "wait_customer"),
        (Status.IN_SERVICE, "wait_parts"),
    ],
    ids=["acknowledged-customer", "assessed-customer", "scheduled-customer", "in_service-customer", "in_service-parts"],
)
def test_resume_returns_to_the_state_before_the_wait(people, api_as, wait_from, wait):
    # given an order that started waiting in ``wait_from``
    order = _order(people, wait_from)
    api = api_as(people["engineer"] if wait_from in {Status.SCHEDULED, Status.IN_SERVICE} else people["agent"])
    assert api.post(f"/work-orders/{order.pk}/transitions", {"action": wait}).status_code == 200
    order.refresh_from_db()
    assert order.paused_from == wait_from

    # when
    response = api.post(f"/work-orders/{order.pk}/transitions", {"action": "resume"})

    # then
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.paused_from) == (wait_from, "")
    event = order.events.last()
    assert (event.action, event.from_status, event.to_status) == ("resume", TRANSITIONS[wait].to, wait_from)


def test_stale_version_is_refused_and_changes_nothing(people, api_as):
    # given an order someone moved since the client read it
    order = _order(people, Status.NEW)
    read_version = order.version
    api = api_as(people["agent"])
    api.post(f"/work-orders/{order.pk}/transitions", {"action": "acknowledge", "version": read_version})
    before = _state(order)

    # when
    response = api.post(
        f"/work-orders/{order.pk}/transitions", {"action": "cancel", "note": "x", "version": read_version}
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert _state(order) == before


def test_assess_decides_coverage_and_records_it_in_the_event(people, api_as):
    # given an acknowledged order for an in-warranty unit
    order = _order(people, Status.ACKNOWLEDGED)

    # when the fault turns out to be accidental damage
    response = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/transitions", {"action": "assess", "cause": "accident"}
    )

    # then
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.coverage, order.coverage_reason, order.cause) == (Coverage.PAID, "cause_not_covered", "accident")
    assert order.events.last().payload["covered"] is False


def test_close_sets_closed_at_and_reopen_clears_it(people, api_as):
    # given
    order = _order(people, Status.CLOSED)
    assert order.closed_at is not None

    # when
    response = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/transitions", {"action": "reopen", "note": "Broke again"}
    )

    # then
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.closed_at) == (Status.REOPENED, None)


# --- roles --------------------------------------------------------------------------------

ROLE_ACTION = [(role, action) for action in TRANSITIONS for role in Role]


def _source_for(action):
    preferred = [
        Status.IN_SERVICE,
        Status.RESOLVED,
        Status.NEW,
        Status.ACKNOWLEDGED,
        Status.ASSESSED,
        Status.SCHEDULED,
        Status.AWAITING_PARTS,
        Status.ACCEPTED,
    ]
    return next(s for s in preferred if s in TRANSITIONS[action].sources)


@pytest.mark.parametrize("role, action", ROLE_ACTION, ids=[f"{r.value}-{a}" for r, a in ROLE_ACTION])
def test_only_permitted_roles_take_an_action(people, api_as, role, action):
    # given an order the actor can see (an engineer is assigned, a customer owns it)
    actor = (
        people["engineer"]
        if role == Role.ENGINEER
        else (people["customer_user"] if role == Role.CUSTOMER else UserFactory(role=role))
    )
    state = _source_for(action)
    order = _order(people, state)
    if order.assignee_id is None:
        services.work_order_assign(order_id=order.pk, actor=people["agent"], assignee_id=people["engineer"].pk)
    _prepare_guards(order, action, people)
    before = _state(order)
    permitted = role in TRANSITIONS[action].roles

    # when
    response = api_as(actor).post(f"/work-orders/{order.pk}/transitions", _body(action))

    # then
    if permitted:
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "forbidden"
        assert _state(order) == before


@pytest.mark.parametrize("state", list(Status), ids=str)
@pytest.mark.parametrize("role", ["agent", "engineer", "customer", "analyst"], ids=str)
def test_available_actions_come_from_the_table(people, state, role):
    # given
    user = UserFactory(role=role)
    order = WorkOrder(status=state)

    # when
    actions = {t.action for t in available(order, user)}

    # then
    assert actions == {a for a, t in TRANSITIONS.items() if state in t.sources and role in t.roles}


def test_superuser_acts_as_admin(people):
    # given
    root = UserFactory(role="customer", is_superuser=True)

    # when
    actions = {t.action for t in available(WorkOrder(status=Status.NEW), root)}

    # then
    assert actions == {"acknowledge", "cancel"}


def test_every_action_is_reachable_and_every_state_has_a_way_in():
    # then the table has no dead states: every status but "new" is some action's target
    targets = {t.to for t in TRANSITIONS.values() if t.to}
    assert set(Status) - {Status.NEW} - targets == set()
    # and terminal "cancelled" has no way out, "closed" only reopens
    assert [a for a, t in TRANSITIONS.items() if Status.CANCELLED in t.sources] == []
    assert [a for a, t in TRANSITIONS.items() if Status.CLOSED in t.sources] == ["reopen"]
