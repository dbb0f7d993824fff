"""Registering a unit must not tell a customer which serials belong to someone else: another
customer's serial answers exactly like an unknown one, and the attempt is logged for staff."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditLog
from products.models import Unit
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory


@pytest.fixture
def people(db):
    me, them = UserFactory(role="customer"), UserFactory(role="customer")
    theirs = CustomerFactory(user=them)
    return {
        "me": me,
        "mine": CustomerFactory(user=me),
        "theirs": theirs,
        "unit": UnitFactory(owner=theirs, serial="TAKEN-0001"),
        "model": ProductModelFactory(code="AC-1"),
    }


def units():
    return sorted(Unit.objects.values_list("serial", "owner_id", "model_id", "purchase_date"))


def claim_rows():
    return list(AuditLog.objects.filter(action="unit_claim_refused"))


def answer(response) -> tuple:
    body = response.json()
    return response.status_code, body["code"], body["message"], body["fields"]


@pytest.mark.parametrize(
    "extra",
    [{}, {"model": "NO-SUCH-MODEL"}, {"purchase_date": "2024-05-01"}],
    ids=["no-model", "unknown-model", "with-date"],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_api_answers_another_customers_serial_like_an_unknown_one(people, api_as, extra, language):
    api = api_as(people["me"])
    headers = {"Accept-Language": language}
    before = units()
    # when I register an unknown serial, then another customer's
    unknown = api.post("/units", {"serial": "NEVER-SEEN-1", **extra}, headers=headers)
    taken = api.post("/units", {"serial": "TAKEN-0001", **extra}, headers=headers)
    # then the answers are the same, word for word
    assert unknown.status_code == 422
    assert answer(taken) == answer(unknown)
    # and nothing changed
    assert units() == before


def test_a_model_given_with_another_customers_serial_gets_the_unknown_serial_answer(people, api_as):
    api = api_as(people["me"])
    unknown = api.post("/units", {"serial": "NEVER-SEEN-1"})
    taken = api.post("/units", {"serial": "TAKEN-0001", "model": "AC-1"})
    wrong_model = api.post("/units", {"serial": "TAKEN-0001", "model": ProductModelFactory().code})
    assert answer(taken) == answer(wrong_model) == answer(unknown)
    assert Unit.objects.get(serial="TAKEN-0001").owner_id == people["theirs"].pk


def test_the_attempt_on_another_customers_serial_is_logged_for_staff(people, api_as):
    api = api_as(people["me"])
    # when I try an unknown serial: nothing to log
    api.post("/units", {"serial": "NEVER-SEEN-1"})
    assert claim_rows() == []
    # when I try another customer's serial
    api.post("/units", {"serial": "TAKEN-0001"})
    # then one row: who tried which unit, whose it is (no other write)
    [row] = claim_rows()
    assert (row.actor_id, row.object_type, row.object_id) == (people["me"].pk, "products.unit", str(people["unit"].pk))
    assert row.after == {"serial": "TAKEN-0001", "customer": people["mine"].pk, "owner": people["theirs"].pk}
    assert not AuditLog.objects.exclude(action__in=["unit_claim_refused", "denied"]).exists()


def test_the_portal_form_answers_another_customers_serial_like_an_unknown_one(people):
    browser = Client()
    browser.force_login(people["me"])
    url = reverse("portal:register_unit")
    form = {"serial": "NEVER-SEEN-1", "purchase_date": "2024-05-01"}
    unknown = browser.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    taken = browser.post(url, {**form, "serial": "TAKEN-0001"}, HTTP_ACCEPT_LANGUAGE="en")
    with_model = browser.post(
        url, {**form, "serial": "TAKEN-0001", "model": people["model"].code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then the same status and the same error on the same field
    errors = [(r.status_code, dict(r.context["form"].errors)) for r in (unknown, taken, with_model)]
    assert errors[0][0] == 422 and "serial" in errors[0][1]
    assert errors[1] == errors[0] and errors[2] == errors[0]
    assert "registered to another customer" not in taken.content.decode()
    assert len(claim_rows()) == 2


def test_staff_are_still_told_whose_serial_it_is(people, api_as):
    """Staff see every customer anyway; they need to know a transfer is due."""
    response = api_as(UserFactory(role="agent")).post(
        "/units", {"serial": "TAKEN-0001", "customer_id": people["mine"].pk}
    )
    assert response.status_code == 409 and response.json()["code"] == "unit_owned"
    assert claim_rows() == []
