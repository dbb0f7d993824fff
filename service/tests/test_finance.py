"""Finance's home: the paid orders, their quotes and amounts; scope, filter, masking, pages, queries."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service import services
from service.tests.flow import advance, new_order, order_in
from tests.factories import CustomerFactory, UserFactory

URL = "/console/finance/"


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "finance": UserFactory(role="finance"),
        "customer": CustomerFactory(name="Li Lei"),
    }


def paid_with_pending_quote(people, total="300.00"):
    order = new_order(agent=people["agent"], customer=people["customer"])
    order = advance(order, ["acknowledge", "assess"], agent=people["agent"], paid=True)
    services.quote_create(
        order_id=order.pk,
        actor=people["agent"],
        lines=[{"kind": "labour", "description": "Repair", "unit_price": total}],
    )
    return order


def paid_unquoted(people):
    order = new_order(agent=people["agent"], customer=people["customer"])
    return advance(order, ["acknowledge", "assess"], agent=people["agent"], paid=True)


def test_the_list_shows_paid_orders_with_their_quote_and_the_figures(client, people):
    # given: an approved quote (180), a pending one (300), a paid order without a quote, a warranty order
    approved = order_in(
        "scheduled", agent=people["agent"], customer=people["customer"], engineer=people["engineer"], paid=True
    )
    pending = paid_with_pending_quote(people)
    unquoted = paid_unquoted(people)
    free = order_in("scheduled", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    client.force_login(people["finance"])

    # when
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert [r["order"].pk for r in response.context["rows"]] == [unquoted.pk, pending.pk, approved.pk]
    assert free.number not in html
    totals = response.context["totals"]
    assert (totals["pending"], totals["pending_total"]) == (1, Decimal("300.00"))
    assert (totals["approved"], totals["approved_total"]) == (1, Decimal("180.00"))
    assert totals["unquoted"] == 1
    assert "¥300.00" in html and "Awaiting customer approval" in html
    assert reverse("service:detail", args=[approved.pk]) in html


@pytest.mark.parametrize(
    "quote, expected", [("pending", "pending"), ("approved", "approved"), ("none", "unquoted")], ids=str
)
def test_the_quote_filter(client, people, quote, expected):
    made = {
        "approved": order_in(
            "scheduled", agent=people["agent"], customer=people["customer"], engineer=people["engineer"], paid=True
        ),
        "pending": paid_with_pending_quote(people),
        "unquoted": paid_unquoted(people),
    }
    client.force_login(people["finance"])
    rows = client.get(URL, {"quote": quote}).context["rows"]
    assert [r["order"].pk for r in rows] == [made[expected].pk]


def test_customer_names_are_masked_for_finance(client, people):
    paid_unquoted(people)
    client.force_login(people["finance"])
    html = client.get(URL).content.decode()
    assert "Li Lei" not in html and "L* L**" in html


@pytest.mark.parametrize("query", [{"quote": "free"}, {"cursor": "!!"}, {"cursor": "WyJ4Il0"}], ids=str)
def test_bad_input_is_a_400(client, people, query):
    client.force_login(people["finance"])
    assert client.get(URL, query, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 400


@pytest.mark.parametrize(
    "role, status",
    [
        ("finance", 200),
        ("manager", 200),
        ("admin", 200),
        ("agent", 403),
        ("quality", 403),
        ("engineer", 403),
        ("customer", 403),
    ],
    ids=str,
)
def test_who_may_open_it(client, db, role, status):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == status


def test_the_list_costs_the_same_for_2_and_8_orders_and_pages_follow(client, people, monkeypatch):
    finance = importlib.import_module("service.views.finance")

    client.force_login(people["finance"])
    for _ in range(2):
        paid_with_pending_quote(people)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    made = [paid_with_pending_quote(people) for _ in range(6)]
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)

    monkeypatch.setattr(finance, "PAGE", 3)
    first = client.get(URL)
    second = client.get(f"{URL}?{first.context['next_qs']}")
    assert [r["order"].pk for r in first.context["rows"] + second.context["rows"]] == [o.pk for o in reversed(made)]
