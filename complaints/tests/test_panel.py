"""The work order's page shows its complaints (a panel the complaints app registers with service)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.tests.flow import complaint_in
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "handler": UserFactory(role="complaint_handler"),
        "engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(),
    }


def test_the_order_page_lists_the_orders_complaints(client, people):
    order = order_in("in_service", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    complaint = complaint_in("acknowledged", handler=people["handler"], customer=people["customer"], order=order)
    other = complaint_in("new", handler=people["handler"], customer=people["customer"])  # not about this order
    client.force_login(people["agent"])
    html = client.get(reverse("service:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-complaint="{complaint.number}"' in html
    assert other.number not in html
    assert "Acknowledged" in html


def test_an_order_without_complaints_has_no_panel(client, people):
    order = order_in("new", agent=people["agent"], customer=people["customer"])
    client.force_login(people["agent"])
    html = client.get(reverse("service:detail", args=[order.pk])).content.decode()
    assert 'id="complaints-title"' not in html


def test_the_engineer_does_not_see_complaints(client, people):
    order = order_in("in_service", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    complaint = complaint_in("new", handler=people["handler"], customer=people["customer"], order=order)
    client.force_login(people["engineer"])
    html = client.get(reverse("service:engineer_order", args=[order.pk])).content.decode()
    assert complaint.number not in html


def test_the_panel_costs_the_same_for_one_and_five_complaints(client, people):
    order = order_in("in_service", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    complaint_in("classified", handler=people["handler"], customer=people["customer"], order=order)
    client.force_login(people["agent"])
    url = reverse("service:detail", args=[order.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        complaint_in("classified", handler=people["handler"], customer=people["customer"], order=order)
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert html.count("data-complaint=") == 5
    assert len(five) == len(one)
