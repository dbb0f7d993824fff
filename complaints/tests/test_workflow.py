"""The complaint's state machine on the shared engine: every (state, action) pair, roles, guards."""

import pytest

from complaints.choices import Category, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services import complaint_transition
from complaints.tests.flow import NOTE, complaint_in, data_for
from complaints.workflow import COMPLAINT
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditLog
from tests.factories import CustomerFactory, UserFactory

PAIRS = [(state, action) for state in Status for action in COMPLAINT.transitions]


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    return {
        "handler": UserFactory(role="complaint_handler"),
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user),
    }


def _state(complaint) -> tuple:
    c = Complaint.objects.get(pk=complaint.pk)
    return (c.status, c.version, c.paused_from, c.category, c.owner_id, c.events.count(), AuditLog.objects.count())


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_state_action_pair(people, state, action):
    # given a complaint in ``state``, driven there through the services
    complaint = complaint_in(state, handler=people["handler"], customer=people["customer"])
    t = COMPLAINT.transitions[action]
    before = _state(complaint)
    # when the handler takes ``action``
    if state in t.sources:
        moved = complaint_transition(
            complaint_id=complaint.pk,
            action=action,
            actor=people["handler"],
            note=NOTE,
            data=data_for(action, people["handler"]),
        )
        # then it moves where the table says, with one event row and one audit row
        expected = t.to or Status.INVESTIGATING
        assert moved.status == expected
        event = ComplaintEvent.objects.filter(complaint=complaint).exclude(action="customer_notified").last()
        assert (event.action, event.from_status, event.to_status, event.actor_id) == (
            action,
            state,
            expected,
            people["handler"].pk,
        )
        assert moved.version == before[1] + 1
        assert AuditLog.objects.filter(action=f"transition:{action}", object_id=str(complaint.pk)).exists()
    else:
        # then it is refused and nothing changes
        with pytest.raises(Conflict) as err:
            complaint_transition(
                complaint_id=complaint.pk,
                action=action,
                actor=people["handler"],
                note=NOTE,
                data=data_for(action, people["handler"]),
            )
        assert err.value.code == "invalid_transition"
        assert _state(complaint) == before


def test_classify_needs_a_category_and_an_active_owner(people):
    complaint = complaint_in(Status.ACKNOWLEDGED, handler=people["handler"], customer=people["customer"])
    before = _state(complaint)
    for data in (
        {},
        {"category": "nonsense", "owner_id": people["handler"].pk},
        {"category": Category.OTHER, "owner_id": people["engineer"].pk},
        {"category": Category.OTHER, "owner_id": "1"},
    ):
        with pytest.raises(ValidationFailed):
            complaint_transition(complaint_id=complaint.pk, action="classify", actor=people["handler"], data=data)
        assert _state(complaint) == before
    moved = complaint_transition(
        complaint_id=complaint.pk,
        action="classify",
        actor=people["handler"],
        data={"category": Category.PRODUCT_QUALITY, "owner_id": people["handler"].pk},
    )
    assert (moved.category, moved.owner_id) == (Category.PRODUCT_QUALITY, people["handler"].pk)


def test_waiting_for_the_customer_resumes_to_investigating(people):
    complaint = complaint_in(Status.WAITING_CUSTOMER, handler=people["handler"], customer=people["customer"])
    assert complaint.paused_from == Status.INVESTIGATING
    moved = complaint_transition(complaint_id=complaint.pk, action="resume", actor=people["handler"])
    assert (moved.status, moved.paused_from) == (Status.INVESTIGATING, "")


@pytest.mark.parametrize("action", ["wait_customer", "resolve", "reopen"])
def test_a_note_is_required_where_the_table_says(people, action):
    state = {"wait_customer": Status.INVESTIGATING, "resolve": Status.INVESTIGATING, "reopen": Status.CLOSED}[action]
    complaint = complaint_in(state, handler=people["handler"], customer=people["customer"])
    before = _state(complaint)
    with pytest.raises(ValidationFailed):
        complaint_transition(complaint_id=complaint.pk, action=action, actor=people["handler"], note="  ")
    assert _state(complaint) == before


def test_resolve_and_close_stamp_times_and_reopen_clears_them(people):
    complaint = complaint_in(Status.CLOSED, handler=people["handler"], customer=people["customer"])
    assert complaint.resolved_at and complaint.closed_at
    moved = complaint_transition(complaint_id=complaint.pk, action="reopen", actor=people["handler"], note="Came back")
    assert (moved.status, moved.resolved_at, moved.closed_at) == (Status.INVESTIGATING, None, None)


def test_an_agent_acknowledges_but_does_not_classify(people):
    complaint = complaint_in(Status.NEW, handler=people["handler"], customer=people["customer"])
    moved = complaint_transition(complaint_id=complaint.pk, action="acknowledge", actor=people["agent"])
    assert moved.status == Status.ACKNOWLEDGED
    before = _state(complaint)
    with pytest.raises(Forbidden):
        complaint_transition(
            complaint_id=complaint.pk,
            action="classify",
            actor=people["agent"],
            data=data_for("classify", people["handler"]),
        )
    assert _state(complaint) == before


@pytest.mark.parametrize("who", ["engineer", "customer_user"])
def test_roles_outside_the_table_change_nothing(people, who):
    complaint = complaint_in(Status.NEW, handler=people["handler"], customer=people["customer"])
    before = _state(complaint)
    # an engineer cannot see complaints (not found); the customer sees their own but may not move it
    with pytest.raises((NotFound, Forbidden)):
        complaint_transition(complaint_id=complaint.pk, action="acknowledge", actor=people[who])
    assert _state(complaint) == before


def test_a_stale_version_is_refused(people):
    complaint = complaint_in(Status.NEW, handler=people["handler"], customer=people["customer"])
    with pytest.raises(Conflict) as err:
        complaint_transition(
            complaint_id=complaint.pk, action="acknowledge", actor=people["handler"], expected_version=99
        )
    assert err.value.code == "stale_version"


def test_the_table_is_consistent():
    # every state is reachable from "new" and every non-final state has a way on
    reachable, frontier = {Status.NEW}, [Status.NEW]
    while frontier:
        state = frontier.pop()
        for t in COMPLAINT.transitions.values():
            if state in t.sources:
                nxt = t.to or Status.INVESTIGATING
                if nxt not in reachable:
                    reachable.add(nxt)
                    frontier.append(nxt)
    assert reachable == set(Status)
    assert COMPLAINT.meets() == {
        "acknowledge": frozenset({"acknowledge"}),
        "classify": frozenset({"classify"}),
        "resolve": frozenset({"resolution"}),
    }
