"""PIPL: export of one person's data, and erasure by anonymisation that keeps the statistics."""

import json
from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client

from core.errors import Forbidden, NotFound, ValidationFailed
from core.models import AuditLog, Document
from core.uploads import checked_bytes, store_document
from customers.models import Address, Contact
from customers.pipl import PLACEHOLDER, personal_data_erase, personal_data_export
from service import services
from service.models import WorkOrder
from service.tests.flow import PATHS, advance, pdf_bytes, signature_url
from tests.factories import CustomerFactory, UnitFactory, UserFactory

PASSWORD = "pass-Word-123"


def _person(*, username, first, last, phone, email, contact, contact_phone, line):
    user = UserFactory(role="customer", username=username, first_name=first, last_name=last, email=email, phone=phone)
    customer = CustomerFactory(user=user, name=first + last, phone=phone, email=email, region="华东")
    Contact.objects.create(
        customer=customer, name=contact, phone=contact_phone, email=f"{username}.contact@example.org"
    )
    Address.objects.create(customer=customer, label="家", province="浙江", city="杭州", line=line, is_default=True)
    proof = store_document(
        checked_bytes(pdf_bytes(), field="proof"), actor=user, original_name=f"{first}{last}-发票.pdf"
    )
    unit = UnitFactory(owner=customer, proof=proof, purchase_date=proof.uploaded_at.date())
    return user, customer, unit


@pytest.fixture
def world(db, agent, engineer, django_capture_on_commit_callbacks):
    """Two customers with contacts, addresses, a unit with a proof, and orders through the
    real services: one closed with a signature, one refused (→ complaint), one with notes."""
    people = {}
    for key, values in {
        "a": dict(
            username="ouyang_user",
            first="欧阳",
            last="娜娜",
            phone="13712340001",
            email="nana.ouyang@example.org",
            contact="司马光明",
            contact_phone="13712340002",
            line="西湖区文三路88号",
        ),
        "b": dict(
            username="shangguan_user",
            first="上官",
            last="婉儿",
            phone="13600001111",
            email="waner.sg@example.org",
            contact="诸葛明亮",
            contact_phone="13600002222",
            line="浦东新区世纪大道9号",
        ),
    }.items():
        user, customer, unit = _person(**values)
        name, phone = values["first"] + values["last"], values["phone"]
        orders = []
        for _ in range(3):
            order = services.request_create(
                actor=user,
                serial=unit.serial,
                contact_name=name,
                contact_phone=phone,
                address=values["line"],
                preferred_time=f"周末 找{name}",
                fault_description=f"不开机，请打{phone}联系{name}",
            )
            orders.append(order)
        advance(orders[0], PATHS["resolved"], agent=agent, engineer=engineer)
        services.acceptance_sign(
            order_id=orders[0].pk, actor=user, accepted=True, signer_name=name, signature=signature_url()
        )
        advance(orders[0], ["close"], agent=agent)
        advance(orders[1], PATHS["resolved"], agent=agent, engineer=engineer)
        with django_capture_on_commit_callbacks(execute=True):  # the complaint opens after commit
            services.acceptance_sign(
                order_id=orders[1].pk,
                actor=user,
                accepted=False,
                signer_name=name,
                signature=signature_url(),
                comment=f"还是坏的，打{phone}",
            )
        services.work_order_note(
            order_id=orders[2].pk, actor=agent, note=f"{name}来电，手机{phone}，邮箱{values['email']}"
        )
        people[key] = {
            "user": user,
            "customer": customer,
            "unit": unit,
            "orders": orders,
            "values": [
                name,
                phone,
                values["email"],
                values["contact"],
                values["contact_phone"],
                values["line"],
                values["username"],
            ],
        }
    # a staff member looked at the orders (view_pii rows) and the person logged in once
    Client().post("/login/", {"username": "ouyang_user", "password": PASSWORD})
    Client().post("/login/", {"username": "ouyang_user", "password": "wrong-password"})
    return people


def _text_hits(values) -> list[tuple[str, str, str]]:
    """Every (table, column, value) where a value occurs in any column of any table, as
    stored text (JSON stores non-ASCII as \\u escapes on SQLite, so that form is searched too)."""
    hits = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                for value in values:
                    forms = {value.lower(), json.dumps(value)[1:-1].lower()}
                    for form in forms:
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {qn(table)} WHERE LOWER(CAST({qn(column)} AS TEXT)) LIKE %s",
                            ["%" + form + "%"],
                        )
                        if cursor.fetchone()[0]:
                            hits.append((table, column, value))
    return hits


def test_export_holds_the_persons_data_and_nothing_of_another(world, make_user):
    # given
    a, b = world["a"], world["b"]
    manager = make_user(role="manager")

    # when
    data = personal_data_export(actor=manager, customer_id=a["customer"].pk)

    # then
    text = json.dumps(data, ensure_ascii=False)
    for value in a["values"]:
        assert value in text, value
    assert {o["number"] for o in data["work_orders"]} == {o.number for o in a["orders"]}
    assert data["contacts"][0]["name"] == "司马光明"
    assert data["addresses"][0]["line"] == "西湖区文三路88号"
    assert data["units"][0]["serial"] == a["unit"].serial and data["units"][0]["proof"]["name"] == "欧阳娜娜-发票.pdf"
    closed = next(o for o in data["work_orders"] if o["status"] == "closed")
    assert closed["acceptances"][0]["signer_name"] == "欧阳娜娜" and closed["acceptances"][0]["signature"]["has_file"]
    assert any("来电" in e["note"] for o in data["work_orders"] for e in o["events"])
    assert len(data["complaints"]) == 1 and "13712340001" in data["complaints"][0]["description"]
    assert len(data["documents"]) >= 3  # the proof and two signatures
    for value in b["values"]:
        assert value not in text, value
    for order in b["orders"]:
        assert order.number not in text
    assert AuditLog.objects.filter(action="pii_export", object_id=str(a["customer"].pk), actor=manager).count() == 1


@pytest.mark.parametrize("role", ["agent", "supervisor", "engineer", "quality", "customer"], ids=str)
def test_only_managers_and_administrators_may_export_or_erase(world, make_user, role):
    # given
    actor = make_user(role=role)
    customer = world["a"]["customer"]

    # when / then
    with pytest.raises(Forbidden):
        personal_data_export(actor=actor, customer_id=customer.pk)
    with pytest.raises(Forbidden):
        personal_data_erase(actor=actor, customer_id=customer.pk, reason="request 42")
    customer.refresh_from_db()
    assert customer.name == "欧阳娜娜"


def test_unknown_customer_and_missing_reason_are_refused(db, make_user):
    admin = make_user(role="admin")
    with pytest.raises(NotFound):
        personal_data_export(actor=admin, customer_id=999999)
    with pytest.raises(ValidationFailed):
        personal_data_erase(actor=admin, customer_id=999999, reason="  ")


@pytest.mark.parametrize("chunk", [500, 2], ids=["big-chunks", "tiny-chunks"])
def test_erasure_leaves_no_personal_value_anywhere_and_keeps_the_statistics(world, make_user, monkeypatch, chunk):
    # given (ids are handled in chunks, as for a customer with very many orders)
    monkeypatch.setattr("customers.pipl.CHUNK", chunk)
    a, b = world["a"], world["b"]
    admin = make_user(role="admin")
    by_status = Counter(WorkOrder.objects.values_list("status", flat=True))
    by_coverage = Counter(WorkOrder.objects.values_list("coverage", flat=True))
    serials = set(WorkOrder.objects.values_list("serial", flat=True))
    documents = list(Document.objects.filter(uploaded_by=a["user"]))
    files = [d.file.name for d in documents]
    assert _text_hits(a["values"])  # the search finds them before

    # when
    result = personal_data_erase(actor=admin, customer_id=a["customer"].pk, reason="PIPL request from 欧阳娜娜")

    # then nothing of the person is left in any column of any table
    assert _text_hits(a["values"]) == []
    # and the other customer is untouched
    assert {h[2] for h in _text_hits(b["values"])} == set(b["values"])
    # and the statistics are the same
    assert Counter(WorkOrder.objects.values_list("status", flat=True)) == by_status
    assert Counter(WorkOrder.objects.values_list("coverage", flat=True)) == by_coverage
    assert set(WorkOrder.objects.values_list("serial", flat=True)) == serials
    assert WorkOrder.objects.filter(customer=a["customer"]).count() == 3
    # the files are gone, their rows stay
    assert result["files_erased"] >= 3
    for doc, name in zip(documents, files, strict=True):
        doc.refresh_from_db()
        assert not doc.file and not default_storage.exists(name)
    # the login is closed
    user = a["user"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.username.startswith("erased-")
    assert Client().post("/login/", {"username": "ouyang_user", "password": PASSWORD}).status_code == 200
    a["customer"].refresh_from_db()
    assert a["customer"].name == PLACEHOLDER and a["customer"].user_id is None and a["customer"].region == "华东"
    # and the erasure is in the audit log, with the reason scrubbed of the name
    row = AuditLog.objects.get(action="pii_erase", object_id=str(a["customer"].pk))
    assert row.actor == admin and row.after["reason"] == f"PIPL request from {PLACEHOLDER}"


def test_erased_files_answer_not_found(world, make_user):
    # given an erased customer's signature
    admin = make_user(role="admin")
    order = world["a"]["orders"][0]
    signature_id = order.acceptances.get().signature_id
    personal_data_erase(actor=admin, customer_id=world["a"]["customer"].pk, reason="request")
    client = Client()
    client.force_login(admin)

    # when
    response = client.get(f"/files/{signature_id}/")

    # then
    assert response.status_code == 404


def test_commands_export_to_a_file_and_erase(world, tmp_path, make_user, capsys):
    # given
    manager = make_user(role="manager")
    customer = world["a"]["customer"]
    out = tmp_path / "export.json"

    # when
    call_command("pii_export", customer=customer.pk, output=str(out), actor=manager.username)
    call_command("pii_erase", customer=customer.pk, reason="ticket 7")

    # then
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["customer"]["phone"] == "13712340001"
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["customer"] == customer.pk
    customer.refresh_from_db()
    assert customer.phone == PLACEHOLDER
    assert AuditLog.objects.filter(action="pii_erase", actor=None).count() == 1
