"""The engineer view: my orders, one order, report and signed acceptance; other engineers' orders are 404."""

import base64
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from complaints.models import Complaint
from core.models import AuditLog
from service.choices import Status
from service.models import Acceptance, RepairReport, WorkOrder
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

LIST = reverse("service:engineer")


def signature_png() -> str:
    """A drawn signature as the pad sends it: a PNG data URL."""
    img = Image.new("RGB", (300, 120), "white")
    ImageDraw.Draw(img).line([(10, 90), (80, 20), (150, 100), (220, 30), (290, 80)], fill="black", width=4)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "other_engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(name="王小明", phone="13812345678"),
    }


@pytest.fixture
def field(client, people):
    client.force_login(people["engineer"])
    return client


def make(people, state, engineer="engineer", **kw):
    return order_in(state, agent=people["agent"], customer=people["customer"], engineer=people[engineer], **kw)


def url(name, order):
    return reverse(f"service:{name}", args=[order.pk])


def state_of(order) -> tuple:
    order = WorkOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.version,
        order.events.count(),
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
        RepairReport.objects.count(),
    )


REPORT = {
    "cause": "Loose power connector",
    "process": "Re-seated and secured the connector",
    "minutes_spent": "50",
    "service_date": "",
    "parts-TOTAL_FORMS": "3",
    "parts-INITIAL_FORMS": "0",
    "parts-MIN_NUM_FORMS": "0",
    "parts-MAX_NUM_FORMS": "50",
    "parts-0-part_number": "PC-100",
    "parts-0-name": "Power connector",
    "parts-0-old_serial": "OLD-1",
    "parts-0-new_serial": "NEW-1",
    "parts-0-quantity": "1",
    "parts-1-part_number": "FU-2",
    "parts-1-name": "Fuse",
    "parts-1-old_serial": "",
    "parts-1-new_serial": "",
    "parts-1-quantity": "2",
    "parts-2-part_number": "",
    "parts-2-name": "",
    "parts-2-old_serial": "",
    "parts-2-new_serial": "",
    "parts-2-quantity": "1",
}


def test_my_orders_lists_only_mine_open_first(field, people):
    # given two open orders and a closed one of mine, and one of another engineer
    first = make(people, Status.SCHEDULED)
    second = make(people, Status.IN_SERVICE)
    closed = make(people, Status.CLOSED)
    theirs = make(people, Status.SCHEDULED, engineer="other_engineer")
    # when I open my list
    body = field.get(LIST).content.decode()
    # then my open orders come first (oldest first), then the finished one; not the other's
    found = re.findall(r"WO\d{8}", body)
    assert found == [first.number, second.number, closed.number]
    assert theirs.number not in body
    assert "138****5678" in body and "13812345678" not in body  # a list: masked, even for the engineer


def test_my_orders_query_count_is_constant(field, people):
    # given 5 open orders of mine (some with appointments, some with visits) and a finished one
    def add(n):
        for i in range(n):
            at = timezone.now() + dt.timedelta(days=(i % 3) - 1) if i % 2 else None
            WorkOrderFactory(assignee=people["engineer"], status=Status.SCHEDULED, appointment_at=at)

    add(5)
    WorkOrderFactory(assignee=people["engineer"], status=Status.CLOSED)
    field.get(LIST)
    with CaptureQueriesContext(connection) as few:
        field.get(LIST)
    # when there are 30 open and 13 finished
    add(25)
    WorkOrderFactory.create_batch(12, assignee=people["engineer"], status=Status.CLOSED)
    with CaptureQueriesContext(connection) as many:
        response = field.get(LIST)
    cursor = re.search(r"\?done=([^\"&]+)", response.content.decode()).group(1)
    with CaptureQueriesContext(connection) as deep:
        field.get(f"{LIST}?done={cursor}")
    # then the count is the same: session, user, the day's orders, their clocks, the
    # personal-data log, the finished page and its clocks, the bell's unread count
    assert len(few) == len(many) == len(deep) <= 9


def test_my_day_shows_every_open_order_once(field, people):
    orders = [WorkOrderFactory(assignee=people["engineer"], status=Status.SCHEDULED) for _ in range(30)]
    body = field.get(LIST).content.decode()
    seen = re.findall(r">(WO\d{8})</strong>", body)
    assert sorted(seen) == sorted(o.number for o in orders)


def test_the_order_page_masks_the_phone_until_the_engineer_reveals_it(field, people):
    order = make(people, Status.SCHEDULED)
    body = field.get(url("engineer_order", order)).content.decode()
    assert "王小明" in body and "13812345678" not in body and url("contact_reveal", order) in body
    assert 'value="start"' in body and 'value="acknowledge"' not in body
    revealed = field.post(url("contact_reveal", order), HTTP_HX_REQUEST="true").content.decode()
    assert 'href="tel:13812345678"' in revealed


def version_of(order) -> int:
    return WorkOrder.objects.values_list("version", flat=True).get(pk=order.pk)


def test_a_stale_report_form_is_refused_not_silently_saved(field, people):
    # given my order in service, whose report someone else saved after I opened the page
    order = make(people, Status.IN_SERVICE)
    opened_at = version_of(order)
    assert field.post(url("report_save", order), {**REPORT, "version": opened_at}).status_code == 302
    # when I save my older copy of the form
    response = field.post(url("report_save", order), {**REPORT, "cause": "Mine", "version": opened_at}, follow=True)
    # then I am told, and the first report stands
    assert "Someone else changed this work order meanwhile" in response.content.decode()
    assert RepairReport.objects.get(order=order).cause == REPORT["cause"]


def test_another_engineers_order_is_404_and_a_post_changes_nothing(field, people):
    # given an order assigned to someone else
    order = make(people, Status.IN_SERVICE, engineer="other_engineer")
    before = state_of(order)
    # when I try to open it or act on it
    page = field.get(url("engineer_order", order))
    move = field.post(url("transition", order), {"action": "wait_parts", "version": order.version})
    report = field.post(url("report_save", order), {**REPORT, "version": order.version})
    note = field.post(url("note", order), {"note": "hello"})
    # then it is not found, and nothing changed
    assert [page.status_code, move.status_code, report.status_code, note.status_code] == [404, 404, 404, 404]
    assert state_of(order) == before


def test_console_pages_are_not_for_engineers(field, people):
    order = make(people, Status.SCHEDULED)
    assert field.get(reverse("service:queue")).status_code == 403
    assert field.get(url("detail", order)).status_code == 403


def test_start_report_resolve_and_signed_acceptance(field, people, client):
    # given my scheduled order
    order = make(people, Status.SCHEDULED)
    # when I start, write the report, resolve...
    assert field.post(url("transition", order), {"action": "start", "version": order.version}).status_code == 302
    response = field.post(url("report_save", order), {**REPORT, "version": version_of(order)})
    assert response["Location"] == url("engineer_order", order)
    report = RepairReport.objects.get(order=order)
    assert [(p.part_number, p.old_serial, p.new_serial, p.quantity) for p in report.parts.order_by("id")] == [
        ("PC-100", "OLD-1", "NEW-1", 1),
        ("FU-2", "", "", 2),
    ]
    order.refresh_from_db()
    field.post(url("transition", order), {"action": "resolve", "version": order.version})
    # ...and the customer signs on my phone
    response = field.post(
        url("acceptance", order),
        {
            "signer_name": "王小明",
            "signature": signature_png(),
            "decision": "accept",
        },
    )
    # then the order is accepted with a stored signature
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == Status.ACCEPTED
    acceptance = Acceptance.objects.get(order=order)
    assert acceptance.accepted and acceptance.signature_id
    # and the printable report shows the signature image, the parts and the engineer
    body = field.get(url("report_print", order)).content.decode()
    assert f'<img src="{reverse("document", args=[acceptance.signature_id])}"' in body
    assert "NEW-1" in body and "Loose power connector" in body and "王小明" in body
    # and the signature file is served to the engineer
    assert field.get(reverse("document", args=[acceptance.signature_id]))["Content-Type"] == "image/png"


def test_a_refusal_needs_a_reason_then_reopens_with_a_complaint(field, people, django_capture_on_commit_callbacks):
    order = make(people, Status.RESOLVED)
    before = state_of(order)
    response = field.post(
        url("acceptance", order),
        {
            "signer_name": "王小明",
            "signature": signature_png(),
            "decision": "refuse",
            "comment": "",
        },
        follow=True,
    )
    assert "Tell us why you do not accept the service." in response.content.decode()
    assert state_of(order) == before
    with django_capture_on_commit_callbacks(execute=True):
        field.post(
            url("acceptance", order),
            {
                "signer_name": "王小明",
                "signature": signature_png(),
                "decision": "refuse",
                "comment": "Still noisy",
            },
        )
    order.refresh_from_db()
    assert order.status == Status.REOPENED
    assert Complaint.objects.filter(order=order, description="Still noisy").exists()


@pytest.mark.parametrize(
    "signature, message",
    [
        ("", "Draw the signature first."),
        ("data:image/png;base64,!!!", "The signature could not be read."),
        ("data:image/png;base64," + base64.b64encode(b"not an image").decode(), "The file must be one of"),
    ],
    ids=["missing", "not-base64", "not-a-png"],
)
def test_a_bad_signature_is_refused(field, people, signature, message):
    order = make(people, Status.RESOLVED)
    before = state_of(order)
    response = field.post(
        url("acceptance", order), {"signer_name": "X", "signature": signature, "decision": "accept"}, follow=True
    )
    assert message in response.content.decode()
    assert state_of(order) == before


def test_a_report_with_bad_input_is_refused(field, people):
    order = make(people, Status.IN_SERVICE)
    before = state_of(order)
    response = field.post(
        url("report_save", order), {**REPORT, "minutes_spent": "-5", "version": order.version}, follow=True
    )
    assert "Time spent (minutes)" in response.content.decode()
    assert state_of(order) == before


def test_report_form_is_prefilled_from_the_saved_report(field, people):
    order = make(people, Status.IN_SERVICE)
    field.post(url("report_save", order), {**REPORT, "version": order.version})
    body = field.get(url("engineer_order", order)).content.decode()
    assert "Re-seated and secured the connector" in body and 'value="PC-100"' in body


def test_the_acceptance_form_loads_the_signature_pad(field, people):
    order = make(people, Status.RESOLVED)
    body = field.get(url("engineer_order", order)).content.decode()
    assert 'class="signature-pad"' in body and "js/signature.js" in body
