"""The console's order page: panels, action forms, optimistic locking, HTMX answers, query bounds."""

import pytest
from django.urls import reverse

from core.models import AuditLog
from service.choices import Coverage, QuoteStatus, Status
from service.models import Quote, Replacement, WorkOrder, WorkOrderEvent
from service.tests.flow import order_in
from tests.factories import CustomerFactory, DepartmentFactory, UnitFactory, UserFactory


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer", first_name="Li", last_name="Gong"),
        "customer": CustomerFactory(name="张三丰", phone="13812345678"),
    }


@pytest.fixture
def desk(client, people):
    client.force_login(people["agent"])
    return client


def make(people, state, **kw):
    return order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], **kw)


def snapshot(order) -> tuple:
    order = WorkOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.version,
        order.assignee_id,
        order.events.count(),
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
    )


def url(name, order, *extra):
    return reverse(f"service:{name}", args=[order.pk, *extra])


def test_the_page_shows_header_customer_warranty_and_timeline(desk, people):
    # given an assessed in-warranty order
    order = make(people, Status.ASSESSED)
    # when the agent opens it
    response = desk.get(url("detail", order))
    body = response.content.decode()
    # then every panel is there, with the name unmasked for an agent and the phone behind a reveal
    assert response.status_code == 200
    assert order.number in body
    assert "In warranty (free)" in body
    assert "Within the warranty period and the cause is covered." in body
    assert "138****5678" in body and "13812345678" not in body and "张三丰" in body
    assert url("contact_reveal", order) in body
    assert "Main unit" in body  # warranty per component class
    assert "Acknowledge" in body and "Assess warranty" in body  # timeline labels
    assert f'name="version" value="{order.version}"' in body


def test_a_masked_role_sees_masked_customer_data(client, people):
    # given an order and an analyst
    order = make(people, Status.NEW)
    client.force_login(UserFactory(role="analyst"))
    # when the analyst opens it
    body = client.get(url("detail", order)).content.decode()
    # then name and phone are masked and there are no action buttons
    assert "138****5678" in body and "13812345678" not in body
    assert "张**" in body
    assert reverse("service:transition", args=[order.pk]) not in body


def test_out_of_warranty_shows_why(desk, people):
    # given a unit without proof or sale date
    unit = UnitFactory(owner=people["customer"], sale_date=None)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    # when the page is opened
    body = desk.get(url("detail", order)).content.decode()
    # then the reason is given in words
    assert "No purchase proof or sale date: the warranty cannot be established." in body


def test_action_buttons_come_from_the_workflow_table(desk, people):
    order = make(people, Status.NEW)
    body = desk.get(url("detail", order)).content.decode()
    assert 'value="acknowledge"' in body and 'value="cancel"' in body
    assert 'value="resolve"' not in body


def test_a_transition_through_the_form_writes_an_event(desk, people):
    # given a new order
    order = make(people, Status.NEW)
    # when the agent acknowledges it
    response = desk.post(
        url("transition", order), {"action": "acknowledge", "note": "Called back", "version": order.version}
    )
    # then the order moved, an event was written, and the page is shown again with a message
    assert response.status_code == 302 and response["Location"] == url("detail", order)
    event = WorkOrderEvent.objects.filter(order=order).latest("id")
    assert (event.action, event.from_status, event.to_status, event.note) == (
        "acknowledge",
        "new",
        "acknowledged",
        "Called back",
    )
    assert event.actor == people["agent"]
    assert WorkOrder.objects.get(pk=order.pk).status == Status.ACKNOWLEDGED
    assert "Done: Acknowledge." in desk.get(url("detail", order)).content.decode()


def test_assess_takes_the_cause_from_the_form(desk, people):
    order = make(people, Status.ACKNOWLEDGED)
    desk.post(url("transition", order), {"action": "assess", "cause": "misuse", "version": order.version})
    order.refresh_from_db()
    assert (order.status, order.cause, order.coverage) == (Status.ASSESSED, "misuse", Coverage.PAID)


def test_a_stale_version_is_refused_and_changes_nothing(desk, people):
    # given the page was loaded at version v, then someone else acted
    order = make(people, Status.NEW)
    stale = order.version
    desk.post(url("transition", order), {"action": "acknowledge", "version": stale})
    before = snapshot(order)
    # when the old page posts again
    response = desk.post(
        url("transition", order), {"action": "cancel", "note": "Duplicate", "version": stale}, follow=True
    )
    # then it is refused with a clear message and nothing changed
    assert snapshot(order) == before
    assert "Someone else changed this work order meanwhile" in response.content.decode()


def test_a_stale_version_from_htmx_gets_a_409_partial(desk, people):
    order = make(people, Status.NEW)
    desk.post(url("transition", order), {"action": "acknowledge", "version": order.version})
    before = snapshot(order)
    response = desk.post(
        url("transition", order), {"action": "cancel", "note": "x", "version": order.version}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#flash" and response["HX-Reswap"] == "innerHTML"
    assert "<html" not in body and "Someone else changed this work order" in body
    assert snapshot(order) == before


def test_an_htmx_transition_redirects_the_page(desk, people):
    order = make(people, Status.NEW)
    response = desk.post(
        url("transition", order), {"action": "acknowledge", "version": order.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("detail", order)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "fly", "version": 1}, "Select a valid choice"),
        ({"action": "cancel", "note": "", "version": 1}, "Give a reason."),
        ({"action": "resolve", "version": 1}, "is not possible while the order is"),
        ({"action": "acknowledge"}, "This field is required."),
    ],
    ids=["unknown-action", "note-required", "wrong-state", "no-version"],
)
def test_refused_transitions_change_nothing(desk, people, data, message):
    order = make(people, Status.NEW)
    before = snapshot(order)
    response = desk.post(url("transition", order), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(order) == before


def test_assignment_form_sets_engineer_appointment_and_team(desk, people):
    # given an assessed order and a team
    order = make(people, Status.ASSESSED)
    team = DepartmentFactory(kind="field_service")
    # when the agent assigns it (appointment in Beijing time)
    desk.post(
        url("assign", order),
        {
            "assignee": people["engineer"].pk,
            "appointment_at": "2031-03-04T09:30",
            "department": team.pk,
            "reason": "The customer is abroad until March.",  # after the on-site deadline
            "version": order.version,
        },
    )
    # then
    order.refresh_from_db()
    assert order.assignee == people["engineer"] and order.department == team
    assert order.events.get(action="assign").payload["late"] == {"reason": "The customer is abroad until March."}
    assert order.appointment_at.isoformat() == "2031-03-04T01:30:00+00:00"
    assert order.events.filter(action="assign").exists()


def test_assignment_refuses_a_non_engineer(desk, people):
    order = make(people, Status.ASSESSED)
    before = snapshot(order)
    desk.post(url("assign", order), {"assignee": people["agent"].pk, "version": order.version})
    assert snapshot(order) == before


def test_quote_with_several_lines_then_phone_approval(desk, people):
    # given a paid repair (cause not covered)
    order = make(people, Status.ACKNOWLEDGED)
    desk.post(url("transition", order), {"action": "assess", "cause": "accident", "version": order.version})
    # when the agent issues a quote with two lines (the third row left empty)
    response = desk.post(
        url("quote_create", order),
        {
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "30",
            "lines-0-kind": "labour",
            "lines-0-description": "Labour",
            "lines-0-quantity": "2",
            "lines-0-unit_price": "80",
            "lines-1-kind": "material",
            "lines-1-description": "Main board",
            "lines-1-quantity": "1",
            "lines-1-unit_price": "350.50",
            "lines-2-kind": "labour",
            "lines-2-description": "",
            "lines-2-quantity": "1",
            "lines-2-unit_price": "",
            "plan": "Replace the main board",
            "estimated_hours": "1.5",
        },
    )
    assert response.status_code == 302
    quote = Quote.objects.get(order=order)
    assert str(quote.total) == "510.50" and quote.lines.count() == 2
    body = desk.get(url("detail", order)).content.decode()
    assert "510.50" in body and "Customer approved by phone" in body
    # and records the customer's approval given by phone
    desk.post(url("quote_decide", order, quote.pk), {"decision": "approve"})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    assert order.events.filter(action="quote_approved").exists()


def test_a_quote_on_a_warranty_order_is_refused(desk, people):
    order = make(people, Status.ASSESSED)
    response = desk.post(
        url("quote_create", order),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-kind": "labour",
            "lines-0-description": "Labour",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "80",
        },
        follow=True,
    )
    assert "Only a paid repair needs a quote." in response.content.decode()
    assert not Quote.objects.filter(order=order).exists()


def test_a_quote_decision_for_another_orders_quote_is_404(desk, people):
    paid = make(people, Status.SCHEDULED, paid=True)
    other = make(people, Status.NEW)
    quote = Quote.objects.get(order=paid)
    response = desk.post(url("quote_decide", other, quote.pk), {"decision": "reject"})
    assert response.status_code == 404


def test_note_form_appends_a_note(desk, people):
    order = make(people, Status.NEW)
    desk.post(url("note", order), {"note": "Customer prefers mornings."})
    assert order.events.filter(action="note", note="Customer prefers mornings.").exists()


def test_replacement_form_records_the_new_unit(desk, people):
    order = make(people, Status.ASSESSED)
    desk.post(
        url("replacement", order), {"ground": "quality_defect", "new_serial": "SN-NEW-0001", "new_colour": "white"}
    )
    replacement = Replacement.objects.get(order=order)
    assert replacement.new_serial == "SN-NEW-0001" and replacement.new_colour == "white"
    assert "SN-NEW-0001" in desk.get(url("detail", order)).content.decode()


def test_detail_queries_are_bounded(desk, people, django_assert_max_num_queries):
    # given a busy paid order: many events, quotes and a report
    order = make(people, Status.RESOLVED, paid=True)
    for i in range(15):
        desk.post(url("note", order), {"note": f"Note {i}"})
    desk.get(url("detail", order))  # warm caches
    # then the page costs a bounded number of queries whatever the number of rows
    with django_assert_max_num_queries(22):
        response = desk.get(url("detail", order))
    assert response.status_code == 200


def test_an_htmx_get_of_the_page_is_a_partial(desk, people):
    order = make(people, Status.NEW)
    response = desk.get(url("detail", order), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="order"' in body
