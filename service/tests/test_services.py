"""The one write path: every service call writes its audit row (actor, before → after) and its event."""

import datetime as dt
import pathlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditLog, Document
from customers.services import customer_for
from products.services import unit_register
from service import services
from service.choices import Status
from service.models import WorkOrder, WorkOrderEvent
from service.tests.flow import order_in, pdf_bytes, signature_url
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory


@pytest.fixture
def people(db):
    user = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": user,
        "customer": CustomerFactory(user=user),
    }


def _new_audit(since: int):
    return list(AuditLog.objects.filter(pk__gt=since).order_by("pk"))


def _last_audit_id() -> int:
    return AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _order(people, state, **kw):
    return order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], **kw)


def test_request_create_audits_the_new_order(people):
    # given
    mark = _last_audit_id()

    # when
    order = services.request_create(actor=people["agent"], customer_id=people["customer"].pk, fault_description="Noise")

    # then
    [row] = _new_audit(mark)
    assert (row.actor_id, row.action, row.object_type, row.object_id, row.before) == (
        people["agent"].pk,
        "create",
        "service.workorder",
        str(order.pk),
        None,
    )
    assert (row.after["status"], row.after["fault_description"], row.after["customer_id"]) == (
        "new",
        "Noise",
        people["customer"].pk,
    )


def test_transition_audits_before_and_after(people):
    # given
    order = _order(people, Status.NEW)
    mark = _last_audit_id()

    # when
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # then
    [row] = _new_audit(mark)
    assert (row.actor_id, row.action, row.object_id) == (people["agent"].pk, "transition:acknowledge", str(order.pk))
    assert (row.before["status"], row.after["status"]) == ("new", "acknowledged")
    assert (row.before["version"], row.after["version"]) == (1, 2)


def test_assess_audits_the_coverage_decision(people):
    # given
    order = _order(people, Status.ACKNOWLEDGED)
    mark = _last_audit_id()

    # when
    services.work_order_transition(order_id=order.pk, action="assess", actor=people["agent"], data={"cause": "defect"})

    # then
    [row] = _new_audit(mark)
    assert (row.before["coverage"], row.after["coverage"]) == ("undetermined", "warranty")
    assert row.after["coverage_reason"] == "in_warranty"


def test_assign_audits_the_engineer(people):
    # given
    order = _order(people, Status.ASSESSED)
    mark = _last_audit_id()

    # when
    services.work_order_assign(order_id=order.pk, actor=people["agent"], assignee_id=people["engineer"].pk)

    # then
    [row] = _new_audit(mark)
    assert (row.action, row.before["assignee_id"], row.after["assignee_id"]) == ("assign", None, people["engineer"].pk)
    event = order.events.last()
    assert (event.action, event.payload["assignee"]) == ("assign", people["engineer"].pk)


def test_note_writes_an_event_and_an_audit_row(people):
    # given
    order = _order(people, Status.NEW)
    mark = _last_audit_id()

    # when
    event = services.work_order_note(order_id=order.pk, actor=people["agent"], note="Called, no answer")

    # then
    [row] = _new_audit(mark)
    assert (row.actor_id, row.action, row.object_type, row.object_id) == (
        people["agent"].pk,
        "create",
        "service.workorderevent",
        str(event.pk),
    )
    assert row.after["note"] == "Called, no answer"
    assert (event.action, event.from_status, event.to_status) == ("note", "new", "new")


def test_quote_create_and_decide_are_audited(people):
    # given
    order = _order(people, Status.ASSESSED, paid=True)
    mark = _last_audit_id()

    # when
    quote = services.quote_create(
        order_id=order.pk, actor=people["agent"], lines=[{"description": "Pump", "unit_price": "99.5", "quantity": "2"}]
    )
    services.quote_decide(quote_id=quote.pk, actor=people["customer_user"], approve=True, note="Go ahead")

    # then
    created, decided = _new_audit(mark)
    assert (created.action, created.object_type, created.actor_id, created.after["total"]) == (
        "create",
        "service.quote",
        people["agent"].pk,
        "199.00",
    )
    assert (decided.action, decided.actor_id, decided.before["status"], decided.after["status"]) == (
        "update",
        people["customer_user"].pk,
        "pending",
        "approved",
    )
    assert [e.action for e in order.events.exclude(action="customer_notified").order_by("id")][-2:] == [
        "quote",
        "quote_approved",
    ]


def test_report_is_audited_on_create_and_rewrite(people):
    # given
    order = _order(people, Status.IN_SERVICE)
    mark = _last_audit_id()

    # when
    services.report_save(order_id=order.pk, actor=people["engineer"], cause="A", process="P", minutes_spent=10)
    services.report_save(
        order_id=order.pk,
        actor=people["engineer"],
        cause="B",
        process="P",
        minutes_spent=20,
        parts=[{"part_number": "X1", "name": "Fuse", "new_serial": "F-9"}],
    )

    # then
    first, second = _new_audit(mark)
    assert (first.action, first.object_type, first.before) == ("create", "service.repairreport", None)
    assert (second.action, second.before["cause"], second.after["cause"]) == ("update", "A", "B")
    assert order.report.parts.get().new_serial == "F-9"


def test_acceptance_audits_the_signature_and_the_transition(people):
    # given
    order = _order(people, Status.RESOLVED)
    mark = _last_audit_id()

    # when
    services.acceptance_sign(
        order_id=order.pk, actor=people["customer_user"], accepted=True, signer_name="Me", signature=signature_url()
    )

    # then
    rows = _new_audit(mark)
    assert [(r.action, r.object_type) for r in rows] == [
        ("create", "service.acceptance"),
        ("transition:accept", "service.workorder"),
    ]
    assert {r.actor_id for r in rows} == {people["customer_user"].pk}


def test_refusal_audits_the_complaint(people, django_capture_on_commit_callbacks):
    # given
    order = _order(people, Status.RESOLVED)
    mark = _last_audit_id()

    # when (the complaints app opens the complaint once the refusal commits)
    with django_capture_on_commit_callbacks(execute=True):
        services.acceptance_sign(
            order_id=order.pk,
            actor=people["customer_user"],
            accepted=False,
            signer_name="Me",
            signature=signature_url(),
            comment="Not fixed",
        )

    # then
    rows = _new_audit(mark)
    assert [(r.action, r.object_type) for r in rows] == [
        ("create", "service.acceptance"),
        ("transition:refuse", "service.workorder"),
        ("create", "complaints.complaint"),
    ]
    assert Complaint.objects.get(order=order).description == "Not fixed"


def test_refusal_needs_a_reason(people):
    # given
    order = _order(people, Status.RESOLVED)
    mark = _last_audit_id()

    # when / then
    with pytest.raises(ValidationFailed) as exc:
        services.acceptance_sign(
            order_id=order.pk,
            actor=people["customer_user"],
            accepted=False,
            signer_name="Me",
            signature=signature_url(),
        )
    assert "comment" in exc.value.fields
    assert _new_audit(mark) == []


@pytest.mark.parametrize("role", ["analyst", "finance", "quality", "complaint_handler"], ids=str)
def test_roles_that_cannot_accept_store_no_signature(people, role, settings):
    # given
    order = _order(people, Status.RESOLVED)
    media = pathlib.Path(settings.MEDIA_ROOT)
    files_before = sorted(media.rglob("*"))
    mark = _last_audit_id()

    # when
    with pytest.raises(Forbidden):
        services.acceptance_sign(
            order_id=order.pk, actor=UserFactory(role=role), accepted=True, signer_name="X", signature=signature_url()
        )

    # then nothing in the database, nothing on disk
    assert _new_audit(mark) == []
    assert sorted(media.rglob("*")) == files_before
    assert WorkOrder.objects.get(pk=order.pk).status == Status.RESOLVED


def test_unit_register_and_customer_for_are_audited(people):
    # given a portal user without a customer record yet
    newcomer = UserFactory(role="customer", phone="13600000000")
    model = ProductModelFactory()
    mark = _last_audit_id()

    # when
    customer = customer_for(newcomer)
    unit = unit_register(
        actor=newcomer,
        customer=customer,
        serial="AU-1",
        model_code=model.code,
        proof=SimpleUploadedFile("p.pdf", pdf_bytes()),
    )

    # then
    rows = _new_audit(mark)
    assert [(r.action, r.object_type, r.object_id) for r in rows] == [
        ("create", "customers.customer", str(customer.pk)),
        ("create", "products.unit", str(unit.pk)),
    ]
    assert {r.actor_id for r in rows} == {newcomer.pk}
    assert customer.phone == "13600000000"
    assert rows[1].after["proof_id"] == Document.objects.get().pk


@pytest.mark.parametrize(
    "call",
    ["transition", "assign", "note", "quote", "report", "acceptance"],
    ids=str,
)
def test_a_refused_call_writes_nothing(people, call):
    # given an order the acting customer does not own
    order = _order(people, Status.IN_SERVICE, paid=True)
    stranger = UserFactory(role="customer")
    CustomerFactory(user=stranger)
    mark, events = _last_audit_id(), WorkOrderEvent.objects.count()
    calls = {
        "transition": lambda: services.work_order_transition(
            order_id=order.pk, action="cancel", actor=stranger, note="x"
        ),
        "assign": lambda: services.work_order_assign(order_id=order.pk, actor=stranger, assignee_id=None),
        "note": lambda: services.work_order_note(order_id=order.pk, actor=stranger, note="x"),
        "quote": lambda: services.quote_create(
            order_id=order.pk, actor=stranger, lines=[{"description": "x", "unit_price": "1"}]
        ),
        "report": lambda: services.report_save(
            order_id=order.pk, actor=stranger, cause="c", process="p", minutes_spent=1
        ),
        "acceptance": lambda: services.acceptance_sign(
            order_id=order.pk, actor=stranger, accepted=True, signer_name="x", signature=signature_url()
        ),
    }

    # when / then: another customer's order reads as missing
    with pytest.raises(NotFound):
        calls[call]()
    assert _new_audit(mark) == []
    assert WorkOrderEvent.objects.count() == events


def test_customer_files_only_for_themself(people):
    # given
    other = CustomerFactory()

    # when / then
    with pytest.raises(Forbidden):
        services.request_create(actor=people["customer_user"], customer_id=other.pk, fault_description="x")
    assert not WorkOrder.objects.exists()


def test_customer_cannot_file_for_someone_elses_unit(people):
    # given
    unit = UnitFactory(owner=CustomerFactory())

    # when / then
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(actor=people["customer_user"], serial=unit.serial, fault_description="x")
    assert exc.value.code == "unknown_serial"


def test_attachments_are_stored_with_the_order(people):
    # when
    order = services.request_create(
        actor=people["customer_user"],
        fault_description="x",
        attachments=[SimpleUploadedFile("a.pdf", pdf_bytes()), SimpleUploadedFile("b.pdf", pdf_bytes())],
    )

    # then
    assert order.documents.count() == 2
    assert set(order.documents.values_list("kind", flat=True)) == {"attachment"}


def test_a_bad_attachment_stores_nothing(people):
    # when / then
    with pytest.raises(ValidationFailed):
        services.request_create(
            actor=people["customer_user"],
            fault_description="x",
            attachments=[SimpleUploadedFile("a.pdf", pdf_bytes()), SimpleUploadedFile("b.pdf", b"not a pdf")],
        )
    assert not WorkOrder.objects.exists()
    assert not Document.objects.exists()


def test_quote_on_a_finished_order_is_refused(people):
    # given
    order = _order(people, Status.RESOLVED, paid=True)

    # when / then
    with pytest.raises(Conflict) as exc:
        services.quote_create(order_id=order.pk, actor=people["agent"], lines=[{"description": "x", "unit_price": "1"}])
    assert exc.value.code == "order_finished"


def test_assign_to_a_missing_department_is_refused(people):
    # given
    order = _order(people, Status.ASSESSED)
    mark = _last_audit_id()

    # when / then
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_assign(order_id=order.pk, actor=people["agent"], assignee_id=None, department_id=987654)
    assert "department_id" in exc.value.fields
    assert _new_audit(mark) == []


@pytest.mark.django_db(transaction=True)
def test_assign_to_a_missing_department_through_the_api_is_422_not_500(api_as):
    # given (committed for real: a dangling foreign key would only fail at commit)
    agent = UserFactory(role="agent")
    order = order_in(Status.ASSESSED, agent=agent, customer=CustomerFactory())

    # when
    response = api_as(agent).post(f"/work-orders/{order.pk}/assignment", {"department_id": 987654})

    # then
    assert response.status_code == 422, response.content
    assert WorkOrder.objects.get(pk=order.pk).department_id is None


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.CLOSED], ids=str)
def test_a_quote_of_a_finished_order_cannot_be_approved(people, status):
    # given a pending quote left on an order that then finished
    order = _order(people, Status.ASSESSED, paid=True)
    quote = services.quote_create(
        order_id=order.pk, actor=people["agent"], lines=[{"description": "x", "unit_price": "10"}]
    )
    WorkOrder.objects.filter(pk=order.pk).update(status=status)
    mark = _last_audit_id()

    # when / then
    with pytest.raises(Conflict) as exc:
        services.quote_decide(quote_id=quote.pk, actor=people["customer_user"], approve=True)
    assert exc.value.code == "order_finished"
    quote.refresh_from_db()
    assert quote.status == "pending"
    assert _new_audit(mark) == []


def test_assess_decides_on_the_local_date_of_the_request(people):
    # given a unit bought 2023-11-23 (36 months by the Civil Code: through Monday 2026-11-23, Asia/Shanghai)
    unit = UnitFactory(owner=people["customer"], sale_date=dt.date(2023, 11, 23))
    # and a request made at 2026-11-23 17:30 UTC, which is already 2026-11-24 01:30 in Shanghai
    with time_machine.travel(dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.UTC), tick=False):
        order = services.request_create(
            actor=people["agent"], customer_id=people["customer"].pk, serial=unit.serial, fault_description="x"
        )
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # when
    services.work_order_transition(order_id=order.pk, action="assess", actor=people["agent"], data={"cause": "defect"})

    # then the warranty had ended on the customer's calendar
    order.refresh_from_db()
    assert (order.coverage, order.coverage_reason) == ("paid", "expired")


def test_assess_on_the_last_local_day_is_covered(people):
    # given the same unit, a request at 2026-11-23 15:59 UTC (23:59 in Shanghai)
    unit = UnitFactory(owner=people["customer"], sale_date=dt.date(2023, 11, 23))
    with time_machine.travel(dt.datetime(2026, 11, 23, 15, 59, tzinfo=dt.UTC), tick=False):
        order = services.request_create(
            actor=people["agent"], customer_id=people["customer"].pk, serial=unit.serial, fault_description="x"
        )
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # when
    services.work_order_transition(order_id=order.pk, action="assess", actor=people["agent"], data={"cause": "defect"})

    # then
    order.refresh_from_db()
    assert (order.coverage, order.coverage_reason) == ("warranty", "in_warranty")
