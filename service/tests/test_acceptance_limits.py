"""The acceptance signature (issue 14): the order and the permission are checked before the
signature is read or decoded, and a signature whose header describes a huge image is refused
without decoding it."""

import base64
import json

import pytest
from django.test import Client

from core.models import Document
from core.tests.test_upload_limits import Body, huge_png
from service.choices import Status
from service.models import Acceptance
from service.tests.flow import order_in, signature_url
from tests.factories import CustomerFactory, UserFactory

HUGE_SIGNATURE = "data:image/png;base64," + base64.b64encode(huge_png()).decode()
UNREADABLE_SIGNATURE = "data:image/png;base64,@@not base64@@"


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    other_user = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user),
        "other_user": other_user,
        "other": CustomerFactory(user=other_user),
    }


def _resolved(people, customer="customer"):
    return order_in(Status.RESOLVED, agent=people["agent"], customer=people[customer], engineer=people["engineer"])


def _post_acceptance(user, order_id: int, signature: str):
    """POST the acceptance to the API through a body that records how much of it was read."""
    from accounts.models import ApiToken

    _, token = ApiToken.issue(user)
    raw = json.dumps({"accepted": True, "signer_name": "王小明", "signature": signature}).encode()
    body = Body(len(raw), head=raw)
    response = Client().post(
        f"/api/v1/work-orders/{order_id}/acceptance",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )
    return response, body


@pytest.mark.parametrize("whose", ["missing", "another-customer"])
def test_api_acceptance_on_an_order_not_yours_is_404_with_the_body_unread(people, whose):
    # given a huge-dimension signature, and an order that is missing or somebody else's
    order_id = 999999 if whose == "missing" else _resolved(people, "other").pk

    # when the customer signs it
    response, body = _post_acceptance(people["customer_user"], order_id, HUGE_SIGNATURE)

    # then 404, and not one byte of the request body was read
    assert response.status_code == 404, response.content[:300]
    assert response.json()["code"] == "not_found"
    assert body.read_bytes == 0
    assert not Acceptance.objects.exists()


def test_api_acceptance_by_an_engineer_not_assigned_is_404_with_the_body_unread(people):
    # given a resolved order and an engineer who is not on it
    order = _resolved(people)
    stranger = UserFactory(role="engineer")

    # when
    response, body = _post_acceptance(stranger, order.pk, HUGE_SIGNATURE)

    # then
    assert response.status_code == 404
    assert body.read_bytes == 0


def test_api_acceptance_on_an_order_not_awaiting_it_is_409_before_decoding(people):
    """The state is checked once the body is read (its field errors come first), but before
    the signature is decoded: it used to be a 422 from decoding the image."""
    # given the customer's order still in service
    order = order_in(Status.IN_SERVICE, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])

    # when
    response, _body = _post_acceptance(people["customer_user"], order.pk, HUGE_SIGNATURE)

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_api_acceptance_with_a_huge_signature_is_422_and_stores_nothing(people):
    # given the customer's resolved order
    order = _resolved(people)
    documents = Document.objects.count()

    # when the signature's header describes a 12000 × 12000 image
    response, _body = _post_acceptance(people["customer_user"], order.pk, HUGE_SIGNATURE)

    # then
    assert response.status_code == 422, response.content[:300]
    payload = response.json()
    assert payload["code"] == "image_too_large" and "signature" in payload["fields"]
    order.refresh_from_db()
    assert order.status == Status.RESOLVED
    assert Document.objects.count() == documents and not Acceptance.objects.exists()


def test_api_acceptance_still_works(people):
    # given
    order = _resolved(people)

    # when
    response, _body = _post_acceptance(people["customer_user"], order.pk, signature_url())

    # then
    assert response.status_code == 200, response.content[:300]
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED


@pytest.mark.parametrize(
    "body, field",
    [
        (b'{"accepted": true, "signer_name": "x"', "__all__"),
        (b'{"accepted": true, "signer_name": "", "signature": "data:image/png;base64,AA=="}', "signer_name"),
    ],
    ids=["malformed-json", "blank-name"],
)
def test_api_acceptance_bad_bodies_are_still_refused_clearly(people, body, field):
    # given
    from accounts.models import ApiToken

    order = _resolved(people)
    _, token = ApiToken.issue(people["customer_user"])

    # when
    response = Client().post(
        f"/api/v1/work-orders/{order.pk}/acceptance",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    # then
    assert response.status_code in (400, 422)
    payload = response.json()
    assert set(payload) == {"code", "message", "fields"}
    if response.status_code == 422:
        assert field in payload["fields"]


def test_console_acceptance_on_a_missing_order_is_404_before_the_signature_is_decoded(people):
    """The signature used to be decoded first: an unreadable one gave a 422 on any order id."""
    # given an agent
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["agent"])

    # when they post an unreadable signature to an order that does not exist
    response = client.post(
        "/console/orders/999999/acceptance/",
        {"decision": "accept", "signer_name": "王小明", "signature": UNREADABLE_SIGNATURE},
    )

    # then
    assert response.status_code == 404


def test_console_acceptance_by_an_engineer_not_assigned_is_404_before_decoding(people):
    # given a resolved order and an engineer who is not on it
    order = _resolved(people)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory(role="engineer"))

    # when
    response = client.post(
        f"/console/orders/{order.pk}/acceptance/",
        {"decision": "accept", "signer_name": "王小明", "signature": UNREADABLE_SIGNATURE},
    )

    # then
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Status.RESOLVED
