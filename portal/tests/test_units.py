"""My products: the warranty per component class, and registering a unit with its proof."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Document
from core.policies import set_policy
from products.models import ComponentClass, Unit, WarrantyTerm
from tests.factories import ProductModelFactory, UnitFactory

from .files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def upload(name: str, data: bytes, content_type: str):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_home_shows_my_units_with_warranty_per_component_class(browser_as, customer_user, other_customer):
    # given a unit of mine bought on 2024-03-10 with proof, and a unit of somebody else
    mine = UnitFactory(
        owner=customer_user.customer, serial="SN-MINE-1", purchase_date=dt.date(2024, 3, 10), sale_date=None
    )
    mine.proof = Document.objects.create(content_type="application/pdf", size=1, sha256="0" * 64, file="x.pdf")
    mine.save()
    UnitFactory(owner=other_customer.customer, serial="SN-THEIRS-1")
    # when I open my products
    page = browser_as(customer_user).get(reverse("portal:home"))
    # then my unit is there with each class: 36 months main, 12 months accessory and software
    html = page.content.decode()
    assert page.status_code == 200
    assert "SN-MINE-1" in html and "SN-THEIRS-1" not in html
    [(unit, rows)] = page.context["rows"]
    assert [(r["months"], r["start"], r["end"]) for r in rows] == [
        (36, dt.date(2024, 3, 10), dt.date(2027, 3, 10)),  # the Civil Code: the corresponding day
        (12, dt.date(2024, 3, 10), dt.date(2025, 3, 10)),
        (12, dt.date(2024, 3, 10), dt.date(2025, 3, 10)),
    ]
    assert "2027-03-10" in html


def test_home_without_units_invites_to_register(browser_as, customer_user):
    page = browser_as(customer_user).get(reverse("portal:home"))
    assert page.status_code == 200 and reverse("portal:register_unit") in page.content.decode()
    assert page.context["rows"] == []


def test_register_new_serial_with_a_real_pdf(browser_as, customer_user, product_model):
    # given a serial not yet in the archive
    bought = TODAY() - dt.timedelta(days=30)
    # when I register it with its model, purchase date and a PDF invoice
    response = browser_as(customer_user).post(
        reverse("portal:register_unit"),
        {
            "serial": "NEW-0001",
            "model": product_model.code,
            "purchase_date": bought.isoformat(),
            "proof": upload("invoice.pdf", pdf_bytes(), "application/pdf"),
        },
    )
    # then the unit is mine, the proof is stored as a PDF and the warranty counts from the purchase date
    unit = Unit.objects.get(serial="NEW-0001")
    assert response.status_code == 302 and response.url == reverse("portal:unit_detail", args=[unit.pk])
    assert unit.owner == customer_user.customer and unit.model == product_model and unit.purchase_date == bought
    assert unit.proof.content_type == "application/pdf" and unit.proof.original_name == "invoice.pdf"
    detail = browser_as(customer_user).get(response.url)
    assert detail.context["warranty"]["start_basis"] == "proof"
    # the third anniversary, or the first working day after it (the Civil Code)
    end, anniversary = detail.context["coverage"][0]["end"], bought.replace(year=bought.year + 3)
    assert anniversary <= end <= anniversary + dt.timedelta(days=9) and (end == anniversary or end.weekday() < 5)


def test_register_an_online_purchase_and_see_the_no_reason_return(browser_as, customer_user, product_model):
    # given goods bought online 20 days ago (past the 7- and 15-day windows) and delivered 3 days ago
    bought, received = TODAY() - dt.timedelta(days=20), TODAY() - dt.timedelta(days=3)
    # when I register them saying so
    response = browser_as(customer_user).post(
        reverse("portal:register_unit"),
        {
            "serial": "WEB-0001",
            "model": product_model.code,
            "purchase_date": bought.isoformat(),
            "proof": upload("invoice.pdf", pdf_bytes(), "application/pdf"),
            "sold_online": "on",
            "received_date": received.isoformat(),
        },
    )
    # then the unit records it, and its page offers the seven-day no-reason return from delivery
    unit = Unit.objects.get(serial="WEB-0001")
    assert response.status_code == 302
    assert (unit.sold_online, unit.received_date) == (True, received)
    entitled = browser_as(customer_user).get(response.url).context["entitled"]
    reasons = {r["reason"]["code"] for r in entitled["remedies"]}
    assert "online_no_reason" in reasons
    assert entitled["online_return_ends"] >= received + dt.timedelta(days=7)


def test_register_claims_a_known_serial_with_a_real_png(browser_as, customer_user):
    # given a unit in the archive without an owner
    unit = UnitFactory(owner=None, serial="KNOWN-0001")
    # when I register it (no model needed) with a photo of the receipt
    response = browser_as(customer_user).post(
        reverse("portal:register_unit"),
        {
            "serial": "KNOWN-0001",
            "purchase_date": (TODAY() - dt.timedelta(days=3)).isoformat(),
            "proof": upload("receipt.png", png_bytes(), "image/png"),
        },
    )
    # then it is mine with the (re-encoded) image as proof
    unit.refresh_from_db()
    assert response.status_code == 302
    assert unit.owner == customer_user.customer and unit.proof.content_type == "image/png"


REFUSALS = [
    ("fake-pdf", "proof", "The file must be one of", 422),
    ("too-large", "proof", "The file is larger than", 422),
    ("future-date", "purchase_date", "cannot be in the future", 422),
    ("unknown-serial", "serial", "Unknown serial number. Check it and give the product model", 422),
    # another customer's serial reads as unknown (no enumeration of registered serials)
    ("owned-by-another", "serial", "Unknown serial number. Check it and give the product model", 422),
]


@pytest.mark.parametrize("case, field, message, status", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_register_refusals_are_shown_on_the_form_and_store_nothing(
    browser_as, customer_user, other_customer, product_model, case, field, message, status
):
    # given a form that is wrong in one way
    data = {
        "serial": "NEW-0002",
        "model": product_model.code,
        "purchase_date": "2024-05-01",
        "proof": upload("invoice.pdf", pdf_bytes(), "application/pdf"),
    }
    if case == "fake-pdf":
        data["proof"] = upload("invoice.pdf", b"This is only text pretending to be a PDF.\n" * 20, "application/pdf")
    elif case == "too-large":
        set_policy("upload.max_bytes", 2000)
        data["proof"] = upload("invoice.pdf", pdf_bytes(padding=4000), "application/pdf")
    elif case == "future-date":
        data["purchase_date"] = (TODAY() + dt.timedelta(days=1)).isoformat()
    elif case == "unknown-serial":
        data["model"] = ""
    elif case == "owned-by-another":
        UnitFactory(owner=other_customer.customer, serial="NEW-0002", model=product_model)
    units_before = list(Unit.objects.values_list("serial", "owner_id", "proof_id", "purchase_date"))
    # when I send it
    response = browser_as(customer_user).post(reverse("portal:register_unit"), data)
    # then the form comes back with the message where it belongs, and nothing was stored
    assert response.status_code == status
    form = response.context["form"]
    errors = form.errors.get(field or "__all__")
    assert errors and message in str(errors)
    assert message in response.content.decode()
    assert list(Unit.objects.values_list("serial", "owner_id", "proof_id", "purchase_date")) == units_before
    assert not Document.objects.exists()


def test_home_costs_the_same_queries_for_few_or_many_units(browser_as, customer_user, django_assert_num_queries):
    # given units of a model with its own terms and of models using the default terms
    with_terms = ProductModelFactory()
    main = ComponentClass.objects.get(kind="main")
    WarrantyTerm.objects.create(model=with_terms, component_class=main, months=24)
    UnitFactory(owner=customer_user.customer, model=with_terms)
    UnitFactory(owner=customer_user.customer)
    client = browser_as(customer_user)

    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("portal:home")).status_code == 200
    # when more units are added
    for _ in range(6):
        UnitFactory(owner=customer_user.customer)
    # then the page costs the same number of queries
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("portal:home"))
    assert len(page.context["rows"]) == 8


def test_unit_detail_shows_warranty_and_orders_of_the_unit(browser_as, customer_user, order_of):
    order = order_of(customer_user, "acknowledged")
    page = browser_as(customer_user).get(reverse("portal:unit_detail", args=[order.unit_id]))
    assert page.status_code == 200
    assert order.number in page.content.decode()
    assert page.context["warranty"]["serial"] == order.unit.serial


def test_form_errors_come_in_the_users_language(customer_user):
    # given a customer reading the portal in Simplified Chinese
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(customer_user)
    # when the serial number is left out
    response = client.post(reverse("portal:register_unit"), {"serial": ""})
    # then the error is in Chinese
    assert response.status_code == 422
    assert "这个字段是必填项。" in str(response.context["form"].errors["serial"])
