"""A portal form sent twice (a double click, a reload, the back button) is carried out once.

Each form carries a one-time token (``{% form_token %}``, core/idempotency.py): the second
submission with the same token goes where the first went and says so, without a second order,
unit, document or cancellation. CSRF is checked as before.
"""

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from core.models import Document, IdempotencyKey
from products.models import Unit
from service.models import OrderDocument, WorkOrder, WorkOrderEvent
from tests.factories import CustomerFactory, UserFactory

from .files import pdf_bytes, png_bytes

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
ALREADY = "This form was already sent, so it was not sent again."


def tokens(response) -> list[str]:
    return TOKEN.findall(response.content.decode())


def request_form(**kw):
    data = {
        "service_type": "repair",
        "fault_description": "It makes a loud noise.",
        "mode": "onsite",
        "address": "上海市浦东新区世纪大道100号",
        "preferred_time": "weekday mornings",
        "priority": "normal",
    }
    return {**data, **kw}


def photo():
    return SimpleUploadedFile("leak.png", png_bytes(), content_type="image/png")


# --- the new request form ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_form_page_carries_a_fresh_token(browser_as, customer_user):
    # when the form is opened twice
    client = browser_as(customer_user)
    first, second = client.get(reverse("portal:new_request")), client.get(reverse("portal:new_request"))

    # then each page has its own token
    assert len(tokens(first)) == len(tokens(second)) == 1
    assert tokens(first) != tokens(second)
    assert len(tokens(client.get(reverse("portal:register_unit")))) == 1


@pytest.mark.django_db
def test_a_request_sent_twice_files_one_order(browser_as, customer_user):
    # given the form with its token
    client = browser_as(customer_user)
    token = tokens(client.get(reverse("portal:new_request")))[0]
    data = lambda: request_form(form_token=token, attachments=[photo()])  # noqa: E731

    # when it is sent twice
    first = client.post(reverse("portal:new_request"), data())
    second = client.post(reverse("portal:new_request"), data(), follow=True)

    # then one order with one attachment, and the second submission lands on it with a word
    order = WorkOrder.objects.get()
    assert first.status_code == 302 and first.url == reverse("portal:request_detail", args=[order.pk])
    assert second.redirect_chain == [(first.url, 302)]
    assert ALREADY in second.content.decode()
    assert OrderDocument.objects.filter(order=order).count() == 1
    assert WorkOrderEvent.objects.filter(order=order, action="create").count() == 1


@pytest.mark.django_db
def test_a_form_with_errors_can_be_corrected_and_sent_with_its_token(browser_as, customer_user):
    # given a first submission refused for a missing description
    client = browser_as(customer_user)
    token = tokens(client.get(reverse("portal:new_request")))[0]
    refused = client.post(reverse("portal:new_request"), request_form(form_token=token, fault_description=""))

    # when the corrected form is sent (the browser kept the token)
    fixed = client.post(reverse("portal:new_request"), request_form(form_token=token))

    # then it goes through
    assert refused.status_code == 422
    assert fixed.status_code == 302
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_the_token_is_the_users_own(browser_as, customer_user, other_customer):
    # given a token used by a customer
    token = tokens(browser_as(customer_user).get(reverse("portal:new_request")))[0]
    browser_as(customer_user).post(reverse("portal:new_request"), request_form(form_token=token))

    # when another customer sends a form with the same token
    response = browser_as(other_customer).post(reverse("portal:new_request"), request_form(form_token=token))

    # then their request is filed, not redirected to the first customer's order
    assert response.status_code == 302
    assert WorkOrder.objects.filter(customer=other_customer.customer).count() == 1
    assert response.url == reverse(
        "portal:request_detail", args=[WorkOrder.objects.get(customer=other_customer.customer).pk]
    )


@pytest.mark.django_db
def test_csrf_is_still_checked_and_a_refused_post_does_not_use_the_token(customer_user):
    # given a browser that checks CSRF like a real one
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(customer_user)
    page = client.get(reverse("portal:new_request"))
    token = tokens(page)[0]

    # when the form is posted without the CSRF token, then with it
    forged = client.post(reverse("portal:new_request"), request_form(form_token=token))
    csrf = client.cookies["csrftoken"].value
    real = client.post(reverse("portal:new_request"), request_form(form_token=token, csrfmiddlewaretoken=csrf))

    # then the forged post is refused and the real one goes through
    assert forged.status_code == 403
    assert real.status_code == 302
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_token_is_a_bad_request(browser_as, customer_user):
    # when
    response = browser_as(customer_user).post(reverse("portal:new_request"), request_form(form_token="t" * 201))

    # then
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


# --- registering a unit with its proof ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_unit_registration_sent_twice_stores_one_unit_and_one_proof(browser_as, customer_user, product_model):
    # given
    client = browser_as(customer_user)
    token = tokens(client.get(reverse("portal:register_unit")))[0]

    def send():
        proof = SimpleUploadedFile("invoice.pdf", pdf_bytes(), content_type="application/pdf")
        data = {"serial": "TWICE-1", "model": product_model.code, "proof": proof, "form_token": token}
        return client.post(reverse("portal:register_unit"), data)

    # when
    first, second = send(), send()

    # then
    unit = Unit.objects.get(serial="TWICE-1")
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("portal:unit_detail", args=[unit.pk])
    assert Document.objects.count() == 1


# --- actions on a request -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cancellation_sent_twice_is_one_cancellation(browser_as, customer_user, order_of):
    # given the detail page of a new request, with its cancel form
    order = order_of(customer_user, "new")
    client = browser_as(customer_user)
    page = client.get(reverse("portal:request_detail", args=[order.pk]))
    token = tokens(page)[-1]
    data = {"version": order.version, "note": "Changed my mind", "form_token": token}

    # when it is sent twice
    first = client.post(reverse("portal:cancel", args=[order.pk]), data)
    second = client.post(reverse("portal:cancel", args=[order.pk]), data, follow=True)

    # then one cancellation, and no "stale version" error on the second
    assert first.status_code == 302
    assert ALREADY in second.content.decode()
    assert WorkOrderEvent.objects.filter(order=order, action="cancel").count() == 1


# --- a double click: two submissions at the same moment ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_file_one_order():
    # given a customer's form
    user = UserFactory(role="customer")
    CustomerFactory(user=user)
    clients = [Client(HTTP_ACCEPT_LANGUAGE="en") for _ in range(2)]
    for c in clients:
        c.force_login(user)
    token = tokens(clients[0].get(reverse("portal:new_request")))[0]
    barrier, responses = threading.Barrier(2), [None, None]

    def submit(i):
        try:
            barrier.wait(timeout=10)
            responses[i] = clients[i].post(reverse("portal:new_request"), request_form(form_token=token))
        finally:
            connections.close_all()

    # when both are sent at once
    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    # then one order, and both land on it
    order = WorkOrder.objects.get()
    assert [r.status_code for r in responses] == [302, 302], [r.content[:300] for r in responses]
    assert {r.url for r in responses} == {reverse("portal:request_detail", args=[order.pk])}
    assert IdempotencyKey.objects.get().status_code == 302
