"""The complaint handler's work list and the quality review list: scope, filters, figures,
masking, pages and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from complaints.tests.flow import complaint_in
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

LIST = "/complaints/"
QUALITY = "/complaints/quality/"


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "handler": UserFactory(role="complaint_handler"),
        "other_handler": UserFactory(role="complaint_handler"),
        "engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(name="Wang Xiaoming"),
    }


def as_user(client, user):
    client.force_login(user)
    return client


def numbers(html: str, complaints) -> set[str]:
    return {c.number for c in complaints if f'data-complaint="{c.number}"' in html}


def test_the_list_shows_open_complaints_with_clocks_and_the_order(client, people):
    # given an open complaint about an order and a closed one
    order = order_in("in_service", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    open_one = complaint_in("classified", handler=people["handler"], customer=people["customer"], order=order)
    closed = complaint_in("closed", handler=people["handler"], customer=people["customer"])

    # when
    response = as_user(client, people["handler"]).get(LIST, HTTP_ACCEPT_LANGUAGE="en")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers(html, [open_one, closed]) == {open_one.number}
    assert reverse("service:detail", args=[order.pk]) in html
    assert "Classified, owner named" in html
    assert "Met" in html and "Running" in html  # acknowledged in time; resolution running


def test_the_handler_sees_customer_names_in_full_and_the_page_is_logged(client, people):
    from core.models import AuditLog

    complaint_in("new", handler=people["handler"], customer=people["customer"])
    html = as_user(client, people["handler"]).get(LIST).content.decode()
    assert "Wang Xiaoming" in html
    assert AuditLog.objects.filter(
        actor=people["handler"], action="view_pii", object_type="customers.customer"
    ).exists()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"mine", "other", "overdue"}),
        ("mine=on", {"mine", "overdue"}),
        ("overdue=on", {"overdue"}),
        ("status=new", {"other"}),
    ],
    ids=["all-open", "mine", "overdue", "status"],
)
def test_filters(client, people, query, expected):
    # given: one complaint owned by the handler, one received by another, one overdue
    mine = complaint_in("classified", handler=people["handler"], customer=people["customer"])
    other = complaint_in("new", handler=people["other_handler"], customer=people["customer"])
    overdue = complaint_in("classified", handler=people["handler"], customer=people["customer"])
    Complaint.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    Complaint.objects.filter(pk=mine.pk).update(due_at=timezone.now() + dt.timedelta(hours=2))
    named = {"mine": mine, "other": other, "overdue": overdue}

    # when
    html = as_user(client, people["handler"]).get(f"{LIST}?{query}").content.decode()

    # then
    assert numbers(html, named.values()) == {named[k].number for k in expected}


def test_the_figures_count_open_overdue_mine_and_unowned(client, people):
    complaint_in("classified", handler=people["handler"], customer=people["customer"])
    late = complaint_in("new", handler=people["handler"], customer=people["customer"])
    Complaint.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    response = as_user(client, people["handler"]).get(LIST)
    assert response.context["counts"] == {"open": 2, "overdue": 1, "mine": 1, "unowned": 1, "at_risk": 0}


@pytest.mark.parametrize("query", ["status=nonsense", "cursor=%21%21", "cursor=WyJ4Il0"], ids=str)
def test_bad_input_is_a_400_in_the_users_language(client, people, query):
    response = as_user(client, people["handler"]).get(f"{LIST}?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_pages_follow_each_other_without_gaps(client, people, monkeypatch):
    from complaints import views

    monkeypatch.setattr(views, "PAGE", 2)
    made = [complaint_in("new", handler=people["handler"], customer=people["customer"]) for _ in range(5)]
    client = as_user(client, people["handler"])
    seen, url = [], LIST
    while url:
        response = client.get(url)
        seen += [c.number for c in response.context["rows"]]
        url = f"{LIST}?{response.context['next_qs']}" if response.context["next_qs"] else None
    assert seen == [c.number for c in reversed(made)]


@pytest.mark.parametrize("view", ["", "?view=mine", "?view=at_risk", "?view=unassigned"], ids=str)
def test_the_list_costs_the_same_for_2_and_12_complaints(client, people, view):
    client = as_user(client, people["handler"])
    for _ in range(2):
        complaint_in("classified", handler=people["handler"], customer=CustomerFactory())
    client.get(LIST + view)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST + view)
    for _ in range(10):
        complaint_in("classified", handler=people["handler"], customer=CustomerFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(LIST + view)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 7  # session, user, page, clocks, figures, pii log, the bell's count


@pytest.mark.parametrize(
    "role, status",
    [
        ("complaint_handler", 200),
        ("supervisor", 200),
        ("agent", 403),
        ("finance", 403),
        ("engineer", 403),
        ("customer", 403),
    ],
    ids=str,
)
def test_who_may_open_the_work_list(client, db, role, status):
    assert as_user(client, UserFactory(role=role)).get(LIST).status_code == status


# --- the quality review list ------------------------------------------------------------------


def test_quality_lists_reopened_orders_and_recently_closed_complaints(client, people):
    # given a reopened order, a closed order and a closed complaint
    reopened = order_in("reopened", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    fine = order_in("closed", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    closed = complaint_in("closed", handler=people["handler"], customer=people["customer"], order=fine)

    # when
    response = as_user(client, UserFactory(role="quality")).get(QUALITY, HTTP_ACCEPT_LANGUAGE="en")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert reopened.number in html and "Reopen" in html
    assert f'href="{reverse("service:detail", args=[fine.pk])}"' in html  # through the closed complaint
    assert closed.number in html
    assert (response.context["order_count"], response.context["closed_count"]) == (1, 1)


def test_quality_period_excludes_older_events(client, people):
    order_in("reopened", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    from service.models import WorkOrderEvent

    WorkOrderEvent.objects.filter(action="reopen").update(at=timezone.now() - dt.timedelta(days=40))
    response = as_user(client, UserFactory(role="quality")).get(f"{QUALITY}?days=30")
    assert response.context["order_count"] == 0
    assert "No order was reopened" in response.content.decode()
    assert as_user(client, UserFactory(role="quality")).get(f"{QUALITY}?days=90").context["order_count"] == 1


def test_quality_bad_period_is_a_400(client, people):
    assert as_user(client, UserFactory(role="quality")).get(f"{QUALITY}?days=5").status_code == 400


def test_quality_costs_the_same_for_1_and_4_orders(client, people):
    client = as_user(client, UserFactory(role="quality"))
    order_in("reopened", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    client.get(QUALITY)
    with CaptureQueriesContext(connection) as few:
        client.get(QUALITY)
    for _ in range(3):
        order_in("reopened", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
        complaint_in("closed", handler=people["handler"], customer=people["customer"])
    with CaptureQueriesContext(connection) as many:
        client.get(QUALITY)
    assert len(many.captured_queries) == len(few.captured_queries)
