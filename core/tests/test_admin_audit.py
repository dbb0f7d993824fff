"""Changes made in the Django admin are audited like any other change."""

import pytest
from django.test import Client

from core.models import AuditLog
from products.models import ProductModel
from tests.factories import ProductLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_edit_of_a_product_model_writes_an_audit_row_with_before_and_after():
    admin = UserFactory(role="admin", is_staff=True, is_superuser=True)
    line = ProductLineFactory()
    model = ProductModel.objects.create(code="LOCK-1", name="Smart lock", line=line)
    client = Client()
    client.force_login(admin)
    r = client.post(
        f"/admin/products/productmodel/{model.pk}/change/",
        {
            "code": "LOCK-1",
            "name": "Smart lock Pro",
            "line": line.pk,
            "terms-TOTAL_FORMS": "0",
            "terms-INITIAL_FORMS": "0",
            "terms-MIN_NUM_FORMS": "0",
            "terms-MAX_NUM_FORMS": "1000",
        },
    )
    assert r.status_code == 302, r.content[:2000]
    row = AuditLog.objects.filter(object_type="products.productmodel", object_id=str(model.pk)).latest("id")
    assert row.actor == admin and row.action == "update"
    assert row.before == {"name": "Smart lock"} and row.after == {"name": "Smart lock Pro"}
