"""Actions whose guard cannot pass are shown disabled with the reason, on the page and in the API.

The display's verdict is the engine's: for every state and role, an action shown as allowed
passes the engine's checks and one shown as disabled is refused with that guard's code."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from complaints.workflow import COMPLAINT
from core.errors import Conflict
from service.choices import Status
from service.tests.flow import PATHS, order_in, sign
from service.workflow import WORK_ORDER, available_with_reasons
from tests.factories import CustomerFactory, UserFactory

WORKFLOWS = [WORK_ORDER, COMPLAINT]


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(),
    }


@pytest.mark.parametrize(
    "guard", [(w, g) for w in WORKFLOWS for g in w.guards.values()], ids=lambda p: f"{p[0].name}-{p[1].name}"
)
def test_every_guard_has_a_reason_in_english_and_chinese(guard):
    _workflow, g = guard
    with translation.override("en"):
        english = str(g.why)
    with translation.override("zh-hans"):
        chinese = str(g.why)
    assert english.strip() and chinese.strip()
    assert chinese != english, f"{g.name}: no zh-Hans translation of {english!r}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


@pytest.mark.parametrize("state", [s for s in PATHS if s != Status.CANCELLED])
@pytest.mark.parametrize("paid", [False, True], ids=["warranty", "paid"])
@pytest.mark.parametrize("role", ["agent", "engineer"])
def test_the_displayed_verdict_is_the_engines(people, state, paid, role):
    # given an order in ``state`` (assigned to the engineer), seen by ``role``
    order = order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], paid=paid)
    actor = people[role]
    # when the actions are listed with their guards evaluated
    for option in available_with_reasons(order, actor):
        # then each verdict is what the engine would say on submit
        try:
            WORK_ORDER.check(order, option.transition, actor, note="reason")
        except Conflict as exc:
            assert not option.allowed and exc.code == f"guard_{option.guard}", option
            assert option.reason == str(WORK_ORDER.guards[option.guard].why)
        else:
            assert option.allowed and option.reason == "", option


def test_schedule_before_the_paid_quote_is_approved_is_disabled_with_the_reason(client, people):
    # given a paid repair, assessed, its quote not yet approved
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], paid=True)
    client.force_login(people["agent"])
    # when the agent opens it, in English and in Chinese
    body = client.get(reverse("service:detail", args=[order.pk])).content.decode()
    zh = client.get(reverse("service:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then "Schedule" is there, disabled, with the reason in words; not offered as a form
    assert 'data-action="schedule" data-guard="quote_approved_if_paid"' in body
    assert "Waiting for the customer to approve the quote." in body
    assert 'name="action" value="schedule"' not in body
    assert 'name="action" value="cancel"' in body  # an action whose guard passes is a form as before
    with translation.override("zh-hans"):
        assert str(WORK_ORDER.guards["quote_approved_if_paid"].why) in zh


def test_the_api_lists_actions_with_allowed_and_reason_and_keeps_allowed_actions(people, api_as):
    order = order_in(Status.IN_SERVICE, agent=people["agent"], customer=people["customer"])
    body = api_as(people["agent"]).get(f"/work-orders/{order.pk}").json()
    actions = {a["action"]: a for a in body["actions"]}
    assert set(body["allowed_actions"]) == set(actions)
    assert actions["resolve"] == {
        "action": "resolve",
        "label": "Mark resolved",
        "allowed": False,
        "reason": "Waiting for the repair report.",
    }
    assert actions["wait_parts"]["allowed"] is True and actions["wait_parts"]["reason"] == ""


def test_a_signed_acceptance_enables_accept_and_not_refuse(people, api_as):
    order = order_in(Status.RESOLVED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    sign(order, accepted=True, by=people["agent"])
    actions = {a["action"]: a for a in api_as(people["agent"]).get(f"/work-orders/{order.pk}").json()["actions"]}
    assert actions["accept"]["allowed"] is True
    assert actions["refuse"] == {
        "action": "refuse",
        "label": "Customer refuses acceptance",
        "allowed": False,
        "reason": "Waiting for the customer's signed refusal.",
    }


def test_a_customer_sees_cancel_disabled_once_the_order_is_assessed(people):
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    customer = SimpleNamespace(role="customer", is_superuser=False)
    [cancel] = [o for o in available_with_reasons(order, customer) if o.action == "cancel"]
    assert not cancel.allowed and cancel.guard == "customer_cancels_early_only"
