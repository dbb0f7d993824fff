"""What a customer does on a request: decide a quote, sign or refuse acceptance, cancel.

Every action on somebody else's order is a 404 and changes nothing.
"""

import base64

import pytest
from django.urls import reverse

from complaints.models import Complaint
from core.models import Document
from service import services
from service.models import Acceptance, Quote, WorkOrder, WorkOrderEvent

from .files import png_bytes

pytestmark = pytest.mark.django_db

SIGNATURE = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


@pytest.fixture
def quoted(customer_user, agent, order_of):
    order = order_of(customer_user, "assessed", paid=True)
    quote = services.quote_create(
        order_id=order.pk, actor=agent, lines=[{"kind": "labour", "description": "Labour", "unit_price": "200"}]
    )
    return order, quote


def state(order):
    """What a refused action must leave untouched."""
    fresh = WorkOrder.objects.get(pk=order.pk)
    return (
        fresh.status,
        fresh.version,
        WorkOrderEvent.objects.filter(order=order).count(),
        list(Quote.objects.filter(order=order).values_list("status", flat=True)),
        Acceptance.objects.filter(order=order).count(),
        Complaint.objects.count(),
        Document.objects.count(),
    )


@pytest.mark.parametrize(
    "decision, expected", [("approve", "approved"), ("reject", "rejected")], ids=["approve", "reject"]
)
def test_customer_decides_the_quote(browser_as, customer_user, quoted, decision, expected):
    order, quote = quoted
    response = browser_as(customer_user).post(
        reverse("portal:quote_decide", args=[order.pk, quote.pk]), {"decision": decision}
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == expected and quote.decided_by == customer_user
    assert order.events.last().action == f"quote_{expected}"


def test_a_decided_quote_cannot_be_decided_again(browser_as, customer_user, quoted):
    order, quote = quoted
    client = browser_as(customer_user)
    client.post(reverse("portal:quote_decide", args=[order.pk, quote.pk]), {"decision": "approve"})
    before = state(order)
    response = client.post(reverse("portal:quote_decide", args=[order.pk, quote.pk]), {"decision": "reject"})
    assert response.status_code == 409 and "already been decided" in response.content.decode()
    assert state(order) == before


def test_customer_signs_acceptance_on_a_resolved_order(browser_as, customer_user, order_of):
    # given a resolved order
    order = order_of(customer_user, "resolved")
    # when I sign and accept
    client = browser_as(customer_user)
    response = client.post(
        reverse("portal:acceptance", args=[order.pk]),
        {"decision": "accept", "signer_name": "王小明", "signature": SIGNATURE},
    )
    # then the order is accepted with my signature, which the page then shows
    assert response.status_code == 302
    order.refresh_from_db()
    acceptance = Acceptance.objects.get(order=order)
    assert order.status == "accepted" and acceptance.accepted and acceptance.signer_name == "王小明"
    assert acceptance.signature.content_type == "image/png"
    html = client.get(reverse("portal:request_detail", args=[order.pk])).content.decode()
    assert reverse("document", args=[acceptance.signature_id]) in html and "signature-pad" not in html


def test_customer_refuses_acceptance_with_a_reason_which_opens_a_complaint(
    browser_as, customer_user, order_of, django_capture_on_commit_callbacks
):
    order = order_of(customer_user, "resolved")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_as(customer_user).post(
            reverse("portal:acceptance", args=[order.pk]),
            {"decision": "refuse", "signer_name": "王小明", "signature": SIGNATURE, "comment": "Still leaking."},
        )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "reopened"
    assert Complaint.objects.get(order=order).description == "Still leaking."


@pytest.mark.parametrize(
    "data, field",
    [
        ({"decision": "refuse", "signer_name": "王小明", "signature": SIGNATURE}, "comment"),
        ({"decision": "accept", "signer_name": "王小明", "signature": ""}, "signature"),
        ({"decision": "accept", "signer_name": "", "signature": SIGNATURE}, "signer_name"),
        ({"decision": "accept", "signer_name": "王小明", "signature": "data:image/png;base64,aGVsbG8="}, "signature"),
    ],
    ids=["refuse-without-reason", "no-signature", "no-name", "signature-not-an-image"],
)
def test_bad_acceptance_is_refused_and_changes_nothing(browser_as, customer_user, order_of, data, field):
    order = order_of(customer_user, "resolved")
    before = state(order)
    response = browser_as(customer_user).post(reverse("portal:acceptance", args=[order.pk]), data)
    assert response.status_code == 422
    assert response.context["acceptance_form"].errors[field]
    assert state(order) == before


def test_acceptance_before_resolution_is_a_conflict(browser_as, customer_user, order_of):
    order = order_of(customer_user, "in_service")
    before = state(order)
    response = browser_as(customer_user).post(
        reverse("portal:acceptance", args=[order.pk]),
        {"decision": "accept", "signer_name": "王小明", "signature": SIGNATURE},
    )
    assert response.status_code == 409
    assert state(order) == before


@pytest.mark.parametrize("status", ["new", "acknowledged"], ids=["new", "acknowledged"])
def test_customer_cancels_early_with_a_reason(browser_as, customer_user, order_of, status):
    order = order_of(customer_user, status)
    response = browser_as(customer_user).post(
        reverse("portal:cancel", args=[order.pk]), {"note": "Fixed it myself.", "version": order.version}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    event = order.events.last()
    assert (event.action, event.note, event.actor) == ("cancel", "Fixed it myself.", customer_user)


@pytest.mark.parametrize(
    "status, data, code",
    [
        ("assessed", {"note": "Too slow."}, 409),
        ("new", {"note": ""}, 422),
        ("new", {"note": "Changed my mind.", "version": 99}, 409),
    ],
    ids=["too-late", "no-reason", "stale-version"],
)
def test_cancel_refusals_change_nothing(browser_as, customer_user, order_of, status, data, code):
    order = order_of(customer_user, status)
    before = state(order)
    response = browser_as(customer_user).post(
        reverse("portal:cancel", args=[order.pk]), {"version": order.version, **data}
    )
    assert response.status_code == code
    assert state(order) == before


def test_cancel_button_only_while_new_or_acknowledged(browser_as, customer_user, order_of):
    client = browser_as(customer_user)
    for status, shown in (("new", True), ("acknowledged", True), ("assessed", False)):
        order = order_of(customer_user, status)
        html = client.get(reverse("portal:request_detail", args=[order.pk])).content.decode()
        assert ("Cancel the request" in html) is shown, status


@pytest.mark.parametrize("action", ["quote", "accept", "cancel"], ids=["quote", "acceptance", "cancel"])
def test_actions_on_another_customers_order_are_404_and_change_nothing(
    browser_as, customer_user, other_customer, agent, order_of, action
):
    # given an order of somebody else, in the state where the action would be possible
    status = {"quote": "assessed", "accept": "resolved", "cancel": "new"}[action]
    order = order_of(customer_user, status, paid=action == "quote")
    if action == "quote":
        quote = services.quote_create(
            order_id=order.pk, actor=agent, lines=[{"kind": "labour", "description": "L", "unit_price": "9"}]
        )
        url, data = reverse("portal:quote_decide", args=[order.pk, quote.pk]), {"decision": "approve"}
    elif action == "accept":
        url, data = (
            reverse("portal:acceptance", args=[order.pk]),
            {"decision": "accept", "signer_name": "X", "signature": SIGNATURE},
        )
    else:
        url, data = reverse("portal:cancel", args=[order.pk]), {"note": "Not mine", "version": order.version}
    before = state(order)
    # when another customer tries it
    response = browser_as(other_customer).post(url, data)
    # then it does not exist for them, and nothing changed
    assert response.status_code == 404
    assert state(order) == before


def test_a_quote_of_another_order_is_404(browser_as, customer_user, quoted, order_of):
    order, quote = quoted
    mine_too = order_of(customer_user, "assessed", paid=True)
    before = state(order)
    response = browser_as(customer_user).post(
        reverse("portal:quote_decide", args=[mine_too.pk, quote.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert state(order) == before
