"""Console forms sent twice (a double click, a reload) are carried out once.

Every action form of the order page and the phone intake carry a one-time token
(``{% form_token %}``, core/idempotency.py); a second submission with the same token goes where
the first went, with a message, and moves, assigns, quotes or files nothing more.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import Document
from customers.models import Customer
from service import services
from service.choices import Status
from service.models import OrderDocument, Quote, Replacement, WorkOrder, WorkOrderEvent
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UnitFactory, UserFactory

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
ALREADY = "This form was already sent, so it was not sent again."


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(phone="13812345678"),
    }


@pytest.fixture
def desk(client, people):
    client.force_login(people["agent"])
    return client


def make(people, state, **kw):
    return order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], **kw)


def url(name, order, *extra):
    return reverse(f"service:{name}", args=[order.pk, *extra])


def state() -> dict:
    return {
        "orders": list(WorkOrder.objects.order_by("pk").values_list("pk", "status", "version", "assignee_id")),
        "events": WorkOrderEvent.objects.count(),
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "status")),
        "replacements": Replacement.objects.count(),
        "documents": Document.objects.count(),
        "customers": Customer.objects.count(),
    }


def quote_lines(**kw):
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        "lines-0-kind": "labour",
        "lines-0-description": "Labour",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "80",
        "plan": "Fix it",
        **kw,
    }


def transition(people):
    order = make(people, Status.NEW)
    return url("transition", order), {"action": "acknowledge", "note": "Called back", "version": order.version}, order


def assign(people):
    order = make(people, Status.ASSESSED)
    return url("assign", order), {"assignee": people["engineer"].pk, "version": order.version}, order


def quote_create(people):
    order = make(people, Status.ASSESSED, paid=True)
    return url("quote_create", order), quote_lines(), order


def quote_decide(people):
    order = make(people, Status.ASSESSED, paid=True)
    quote = services.quote_create(
        order_id=order.pk, actor=people["agent"], lines=[{"description": "Fan", "unit_price": "50"}]
    )
    return url("quote_decide", order, quote.pk), {"decision": "approve"}, order


def note(people):
    order = make(people, Status.NEW)
    return url("note", order), {"note": "Customer prefers mornings."}, order


def replacement(people):
    order = make(people, Status.ASSESSED, unit=UnitFactory(owner=people["customer"], colour="white"))
    return url("replacement", order), {"ground": "quality_defect", "new_serial": "SN-TWICE-1"}, order


ACTIONS = [transition, assign, quote_create, quote_decide, note, replacement]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.__name__)
def test_an_action_sent_twice_is_done_once(desk, people, action):
    # given an action form with its token, sent once
    path, data, order = action(people)
    data = {**data, "form_token": "tok-1"}
    first = desk.post(path, data)
    after_first = state()

    # when the same form is sent again
    second = desk.post(path, data, follow=True)

    # then nothing more happened, and the second lands where the first went, with a word
    assert first.status_code == 302 and first["Location"] == url("detail", order)
    assert state() == after_first
    assert second.redirect_chain == [(first["Location"], 302)]
    body = second.content.decode()
    assert ALREADY in body
    assert "Someone else changed this work order" not in body


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.__name__)
def test_an_action_sent_with_another_token_runs_again(desk, people, action):
    # given (the control: a new form is a new submission)
    path, data, order = action(people)
    desk.post(path, {**data, "form_token": "tok-1"})

    # when the form is sent with a fresh token
    again = desk.post(path, {**data, "form_token": "tok-2"}, follow=True)

    # then the service handled it (done again, or refused by the workflow), not the token
    assert ALREADY not in again.content.decode()


def test_an_htmx_transition_sent_twice_redirects_both_and_moves_once(desk, people):
    # given
    path, data, order = transition(people)
    data = {**data, "form_token": "tok-1"}

    # when
    first = desk.post(path, data, HTTP_HX_REQUEST="true")
    second = desk.post(path, data, HTTP_HX_REQUEST="true")

    # then
    assert first["HX-Redirect"] == second["HX-Redirect"] == url("detail", order)
    assert WorkOrderEvent.objects.filter(order=order, action="acknowledge").count() == 1


def test_a_refused_htmx_form_keeps_its_token_usable(desk, people):
    # given an HTMX transition refused for a stale version (the form stays on the page)
    path, data, order = transition(people)
    refused = desk.post(path, {**data, "version": order.version + 1, "form_token": "tok-1"}, HTTP_HX_REQUEST="true")

    # when the user sends it again with the right version
    done = desk.post(path, {**data, "form_token": "tok-1"}, HTTP_HX_REQUEST="true")

    # then it went through
    assert refused.status_code == 409
    assert done["HX-Redirect"] == url("detail", order)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.ACKNOWLEDGED


@pytest.mark.parametrize("status", [Status.NEW, Status.ASSESSED, Status.IN_SERVICE, Status.RESOLVED], ids=str)
def test_every_action_form_of_the_order_page_carries_a_token(desk, people, status):
    # given
    order = make(people, status, paid=status == Status.ASSESSED)

    # when
    body = desk.get(url("detail", order)).content.decode()

    # then every form posting to the order carries its own token
    forms = [f for f in FORM.findall(body) if f'action="/console/orders/{order.pk}/' in f.split(">", 1)[0]]
    assert forms
    found = [TOKEN.findall(f) for f in forms]
    assert all(len(t) == 1 for t in found), [f[:120] for f, t in zip(forms, found, strict=True) if len(t) != 1]
    assert len({t[0] for t in found}) == len(forms)


# --- the phone intake --------------------------------------------------------------------------------


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return SimpleUploadedFile("fault.png", out.getvalue(), content_type="image/png")


def test_the_intake_form_sent_twice_files_one_order_for_one_new_customer(desk):
    # given the intake form and its token
    page = desk.get(reverse("service:new"))
    token = TOKEN.findall(page.content.decode())[0]

    def send():
        data = {
            "phone": "139 0000 1234",
            "name": "赵六",
            "service_type": "repair",
            "priority": "normal",
            "mode": "onsite",
            "fault_description": "No power since this morning.",
            "address": "上海市浦东新区世纪大道100号",
            "attachments": [photo()],
            "form_token": token,
        }
        return desk.post(reverse("service:new"), data)

    # when
    first, second = send(), send()

    # then one customer, one order, one photo
    order = WorkOrder.objects.get()
    assert first["Location"] == second["Location"] == reverse("service:detail", args=[order.pk])
    assert Customer.objects.filter(phone="13900001234").count() == 1
    assert OrderDocument.objects.filter(order=order).count() == 1
