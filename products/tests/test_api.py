"""``/api/v1/units``: registering units (JSON and multipart with a proof) and reading their warranty."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.models import AuditLog, Document
from products.models import ComponentClass, Unit, WarrantyTerm
from service.tests.flow import pdf_bytes, png_bytes
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

D = dt.date


@pytest.fixture
def people(db):
    user, other = UserFactory(role="customer"), UserFactory(role="customer")
    return {
        "customer_user": user,
        "customer": CustomerFactory(user=user),
        "other_user": other,
        "other": CustomerFactory(user=other),
        "agent": UserFactory(role="agent"),
    }


@pytest.fixture
def model_with_terms(db):
    """Main unit 36 months, accessories 12, software 24, counted as terms from before the Civil
    Code convention were (through the day before the anniversary)."""
    model = ProductModelFactory(code="AC-9000")
    for code, months in (("main", 36), ("accessory", 12), ("software", 24)):
        WarrantyTerm.objects.create(
            model=model,
            component_class=ComponentClass.objects.get(code=code),
            months=months,
            convention="anniversary_eve",
        )
    return model


def _proof_doc(user):
    from core.uploads import checked_bytes, store_document

    return store_document(checked_bytes(pdf_bytes(), field="proof"), actor=user)


def test_warranty_per_component_class_with_end_dates(people, api_as, model_with_terms):
    # given a unit bought 2023-11-23 (on its proof)
    unit = UnitFactory(
        owner=people["customer"],
        model=model_with_terms,
        purchase_date=D(2023, 11, 23),
        sale_date=D(2023, 10, 1),
        proof=_proof_doc(people["customer_user"]),
    )

    # when
    response = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty", {"on": "2025-06-01"})

    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["serial"], body["model"], body["start_date"], body["start_basis"], body["on"]) == (
        unit.serial,
        "AC-9000",
        "2023-11-23",
        "proof",
        "2025-06-01",
    )
    assert [
        (c["component_class"], c["kind"], c["months"], c["end"], c["in_warranty"], c["reason"])
        for c in body["components"]
    ] == [
        ("main", "main", 36, "2026-11-22", True, "in_warranty"),
        ("accessory", "accessory", 12, "2024-11-22", False, "expired"),
        ("software", "software", 24, "2025-11-22", True, "in_warranty"),
    ]


@pytest.mark.parametrize(
    "on, main_covered",
    [("2026-11-22", True), ("2026-11-23", False), ("2023-11-22", False)],
    ids=["last-day", "anniversary", "before-start"],
)
def test_warranty_boundary_through_the_api(people, api_as, model_with_terms, on, main_covered):
    # given
    unit = UnitFactory(
        owner=people["customer"],
        model=model_with_terms,
        purchase_date=D(2023, 11, 23),
        sale_date=None,
        proof=_proof_doc(people["customer_user"]),
    )

    # when
    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty", {"on": on}).json()

    # then
    assert body["components"][0]["in_warranty"] is main_covered


def test_warranty_without_proof_starts_at_the_sale_date(people, api_as, model_with_terms):
    # given a purchase date typed in but no proof uploaded
    unit = UnitFactory(
        owner=people["customer"], model=model_with_terms, purchase_date=D(2024, 5, 1), sale_date=D(2024, 2, 29)
    )

    # when
    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty", {"on": "2025-01-01"}).json()

    # then
    assert (body["start_date"], body["start_basis"]) == ("2024-02-29", "sale")
    assert body["components"][1]["end"] == "2025-02-27"


def test_warranty_without_any_date(people, api_as, model_with_terms):
    # given
    unit = UnitFactory(owner=people["customer"], model=model_with_terms, purchase_date=None, sale_date=None)

    # when
    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty").json()

    # then
    assert (body["start_date"], body["start_basis"]) == (None, "none")
    assert {(c["in_warranty"], c["reason"], c["end"]) for c in body["components"]} == {(False, "no_start_date", None)}


def test_model_without_terms_uses_the_policy_defaults(people, api_as):
    # given a model nobody configured
    unit = UnitFactory(owner=people["customer"], sale_date=D(2024, 1, 10))

    # when
    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty", {"on": "2024-06-01"}).json()

    # then main 36 months, accessories and software 12, by the Civil Code: 2027-01-10 is a
    # Sunday, so the main unit's period ends on Monday 2027-01-11
    assert [(c["component_class"], c["months"], c["end"], c["convention"]) for c in body["components"]] == [
        ("main", 36, "2027-01-11", "civil_code"),
        ("accessory", 12, "2025-01-10", "civil_code"),
        ("software", 12, "2025-01-10", "civil_code"),
    ]


def test_default_periods_follow_the_policy_setting(people, api_as):
    # given the administrator extended accessories to 18 months
    from core.policies import set_policy

    set_policy("warranty.months.accessory", 18)
    unit = UnitFactory(owner=people["customer"], sale_date=D(2024, 1, 10))

    # when
    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty").json()

    # then
    assert [(c["component_class"], c["months"]) for c in body["components"]][1] == ("accessory", 18)


@pytest.mark.parametrize("who", ["other_user", "engineer", "analyst"], ids=str)
def test_someone_elses_serial_is_404(people, api_as, who):
    # given
    unit = UnitFactory(owner=people["customer"])
    user = people.get(who) or UserFactory(role=who)

    # when
    response = api_as(user).get(f"/units/{unit.serial}/warranty")

    # then same answer as for a serial that does not exist
    assert response.status_code == 404
    assert response.json() == api_as(user).get("/units/NO-SUCH-SERIAL/warranty").json()
    assert response.json()["code"] == "unknown_serial"


@pytest.mark.parametrize("role", ["agent", "tech_support", "finance", "quality", "supervisor"], ids=str)
def test_back_office_reads_any_units_warranty(people, api_as, role):
    # given
    unit = UnitFactory(owner=people["customer"])

    # when
    response = api_as(UserFactory(role=role)).get(f"/units/{unit.serial}/warranty")

    # then
    assert response.status_code == 200


def test_unit_query_count_is_bounded(people, api_as, model_with_terms, django_assert_max_num_queries):
    # given
    unit = UnitFactory(owner=people["customer"], model=model_with_terms)
    api = api_as(people["customer_user"])
    api.get(f"/units/{unit.serial}/warranty")

    # when / then
    with django_assert_max_num_queries(3):
        api.get(f"/units/{unit.serial}/warranty")


# --- registration -------------------------------------------------------------------------


def test_register_a_new_unit_by_json(people, api_as, model_with_terms):
    # when
    response = api_as(people["customer_user"]).post(
        "/units",
        {
            "serial": " NEW-001 ",
            "model": "AC-9000",
            "purchase_date": "2025-01-15",
            "colour": "white",
            "channel": "JD.com",
        },
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    unit = Unit.objects.get(serial="NEW-001")
    assert (unit.owner_id, unit.model_id, unit.colour, unit.channel) == (
        people["customer"].pk,
        model_with_terms.pk,
        "white",
        "JD.com",
    )
    assert (body["has_proof"], body["status"]) == (False, "active")
    # without a proof, the purchase date alone does not start the warranty
    assert body["warranty"]["start_basis"] == "none"
    audit = AuditLog.objects.get(object_type="products.unit", object_id=str(unit.pk))
    assert (audit.action, audit.actor_id) == ("create", people["customer_user"].pk)


def test_register_an_online_purchase_with_the_day_it_was_received(people, api_as, model_with_terms):
    # when a customer registers a unit bought online, received three days after the purchase
    api = api_as(people["customer_user"])
    response = api.post(
        "/units",
        {
            "serial": "WEB-001",
            "model": "AC-9000",
            "purchase_date": "2025-01-15",
            "sold_online": True,
            "received_date": "2025-01-18",
        },
    )

    # then both are stored and answered
    assert response.status_code == 201, response.json()
    unit = Unit.objects.get(serial="WEB-001")
    assert (unit.sold_online, unit.received_date) == (True, dt.date(2025, 1, 18))
    assert (response.json()["sold_online"], response.json()["received_date"]) == (True, "2025-01-18")


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"received_date": "2025-01-10"}, "received_before_sale"),
        ({"received_date": "2099-01-01"}, "date_in_future"),
        ({"received_date": "0001-01-01"}, "validation_error"),
    ],
    ids=["received-before-bought", "received-in-future", "received-out-of-window"],
)
def test_a_received_date_that_cannot_be_is_refused_and_nothing_stored(people, api_as, model_with_terms, extra, code):
    response = api_as(people["customer_user"]).post(
        "/units", {"serial": "WEB-002", "model": "AC-9000", "purchase_date": "2025-01-15", **extra}
    )

    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code and "received_date" in response.json()["fields"]
    assert not Unit.objects.filter(serial="WEB-002").exists()


def test_register_with_a_real_pdf_proof_by_multipart(people, model_with_terms):
    # given
    client = Client()
    client.force_login(people["customer_user"])
    proof = SimpleUploadedFile("发票 invoice.pdf", pdf_bytes(), content_type="application/pdf")

    # when
    response = client.post(
        "/api/v1/units", {"serial": "MP-1", "model": "AC-9000", "purchase_date": "2024-02-29", "proof": proof}
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["has_proof"], body["warranty"]["start_basis"], body["warranty"]["start_date"]) == (
        True,
        "proof",
        "2024-02-29",
    )
    unit = Unit.objects.get(serial="MP-1")
    doc = unit.proof
    assert (doc.content_type, doc.original_name, doc.uploaded_by_id) == (
        "application/pdf",
        "发票 invoice.pdf",
        people["customer_user"].pk,
    )
    assert doc.file.read().startswith(b"%PDF-")
    # and the customer can download it
    assert client.get(f"/files/{doc.pk}/").status_code == 200


def test_register_with_a_png_photo_of_the_receipt(people, model_with_terms):
    # given
    client = Client()
    client.force_login(people["customer_user"])

    # when
    response = client.post(
        "/api/v1/units",
        {
            "serial": "MP-2",
            "model": "AC-9000",
            "purchase_date": "2024-03-01",
            "proof": SimpleUploadedFile("r.png", png_bytes()),
        },
    )

    # then
    assert response.status_code == 201, response.json()
    assert Unit.objects.get(serial="MP-2").proof.content_type == "image/png"


def test_claim_a_unit_already_in_the_archive(people, api_as):
    # given a unit sold through a dealer, not yet registered to anyone
    unit = UnitFactory(owner=None, sale_date=D(2025, 3, 1))

    # when
    response = api_as(people["customer_user"]).post("/units", {"serial": unit.serial, "purchase_date": "2025-03-03"})

    # then
    assert response.status_code == 201, response.json()
    unit.refresh_from_db()
    assert (unit.owner_id, unit.purchase_date, unit.sale_date) == (people["customer"].pk, D(2025, 3, 3), D(2025, 3, 1))
    audit = AuditLog.objects.get(object_type="products.unit", object_id=str(unit.pk))
    assert audit.action == "update"
    assert audit.before["owner_id"] is None and audit.after["owner_id"] == people["customer"].pk


def test_unit_of_another_customer_cannot_be_claimed(people, api_as):
    # given
    unit = UnitFactory(owner=people["other"])

    # when
    response = api_as(people["customer_user"]).post("/units", {"serial": unit.serial})

    # then it reads as an unknown serial (test_serial_enumeration.py), and only the attempt is logged
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_serial"
    unit.refresh_from_db()
    assert unit.owner_id == people["other"].pk
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["unit_claim_refused"]


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"serial": "UNKNOWN-1"}, "unknown_serial", "serial"),
        ({"serial": "UNKNOWN-1", "model": "NO-MODEL"}, "unknown_model", "model"),
        ({"serial": "   "}, "validation_error", "serial"),
        ({"serial": ""}, "validation_error", "serial"),
        ({}, "validation_error", "serial"),
        ({"serial": "X", "model": "AC-9000", "purchase_date": "2024-02-30"}, "validation_error", "purchase_date"),
        ({"serial": "X", "model": "AC-9000", "customer_id": 5}, None, None),
    ],
    ids=[
        "unknown-serial",
        "unknown-model",
        "blank-serial",
        "empty-serial",
        "missing-serial",
        "impossible-date",
        "customer-id-ignored",
    ],
)
def test_registration_errors(people, api_as, model_with_terms, body, code, field):
    # when
    response = api_as(people["customer_user"]).post("/units", body)

    # then
    if code is None:
        assert response.status_code == 201
        assert Unit.objects.get(serial="X").owner_id == people["customer"].pk
        return
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert not Unit.objects.exists()


def test_serial_of_another_model_is_refused(people, api_as, model_with_terms):
    # given
    unit = UnitFactory(owner=None)

    # when
    response = api_as(people["customer_user"]).post("/units", {"serial": unit.serial, "model": "AC-9000"})

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "model_mismatch"
    unit.refresh_from_db()
    assert unit.owner_id is None


def test_staff_register_a_unit_for_a_customer(people, api_as, model_with_terms):
    # when
    response = api_as(people["agent"]).post(
        "/units", {"serial": "ST-1", "model": "AC-9000", "customer_id": people["other"].pk}
    )

    # then
    assert response.status_code == 201
    assert Unit.objects.get(serial="ST-1").owner_id == people["other"].pk


@pytest.mark.parametrize("customer_id", [None, 999999], ids=["missing", "unknown"])
def test_staff_must_name_an_existing_customer(people, api_as, model_with_terms, customer_id):
    # when
    response = api_as(people["agent"]).post(
        "/units", {"serial": "ST-2", "model": "AC-9000", "customer_id": customer_id}
    )

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_customer"
    assert not Unit.objects.exists()


@pytest.mark.parametrize("role", ["engineer", "analyst", "finance", "quality"], ids=str)
def test_roles_without_the_capability_cannot_register_units(people, api_as, model_with_terms, role):
    # when
    response = api_as(UserFactory(role=role)).post(
        "/units", {"serial": "R-1", "model": "AC-9000", "customer_id": people["customer"].pk}
    )

    # then
    assert response.status_code == 403
    assert not Unit.objects.exists()


def test_registration_of_a_future_sale_date_is_refused(people, api_as, model_with_terms):
    # when
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api_as(people["customer_user"]).post(
        "/units", {"serial": "FUT", "model": "AC-9000", "sale_date": tomorrow}
    )

    # then
    assert response.status_code == 422
    assert response.json()["fields"] == {"sale_date": ["The date cannot be in the future."]}
    assert not Document.objects.exists()


def test_purchase_date_on_a_proof_cannot_be_moved_without_a_new_proof(people, api_as, model_with_terms):
    # given a unit registered with its proof: bought 2023-11-23
    unit = UnitFactory(
        owner=people["customer"],
        model=model_with_terms,
        purchase_date=D(2023, 11, 23),
        sale_date=None,
        proof=_proof_doc(people["customer_user"]),
    )

    # when the customer re-registers it with a later date and no proof (that would extend the warranty)
    response = api_as(people["customer_user"]).post("/units", {"serial": unit.serial, "purchase_date": "2025-11-23"})

    # then
    assert response.status_code == 422, response.json()
    assert "purchase_date" in response.json()["fields"]
    unit.refresh_from_db()
    assert unit.purchase_date == D(2023, 11, 23)


def test_purchase_date_moves_with_a_new_proof(people, model_with_terms):
    # given
    unit = UnitFactory(
        owner=people["customer"],
        model=model_with_terms,
        purchase_date=D(2023, 11, 23),
        sale_date=None,
        proof=_proof_doc(people["customer_user"]),
    )
    client = Client()
    client.force_login(people["customer_user"])

    # when
    response = client.post(
        "/api/v1/units",
        {"serial": unit.serial, "purchase_date": "2024-01-05", "proof": SimpleUploadedFile("new.pdf", pdf_bytes())},
    )

    # then
    assert response.status_code == 201, response.json()
    unit.refresh_from_db()
    assert unit.purchase_date == D(2024, 1, 5)


def test_same_purchase_date_again_is_fine(people, api_as, model_with_terms):
    # given
    unit = UnitFactory(
        owner=people["customer"],
        model=model_with_terms,
        purchase_date=D(2023, 11, 23),
        proof=_proof_doc(people["customer_user"]),
    )

    # when
    response = api_as(people["customer_user"]).post(
        "/units", {"serial": unit.serial, "purchase_date": "2023-11-23", "colour": "red"}
    )

    # then
    assert response.status_code == 201
