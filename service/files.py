"""Serving uploaded files, only to those who may see the unit or order they belong to."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from accounts.roles import can
from core.models import Document
from products.models import Unit

from .models import Acceptance, OrderDocument
from .permissions import visible_to


def can_view_document(user, doc: Document) -> bool:
    orders = visible_to(user)
    if OrderDocument.objects.filter(document=doc, order__in=orders).exists():
        return True
    if Acceptance.objects.filter(signature=doc, order__in=orders).exists():
        return True
    units = Unit.objects.filter(proof=doc)
    if can(user, "customer.view_all"):
        return units.exists()
    return units.filter(owner__user=user).exists() or units.filter(orders__in=orders).exists()


@login_required
def document(request, document_id: int):
    doc = Document.objects.filter(pk=document_id).first()
    if doc is None or not doc.file or not can_view_document(request.user, doc):  # no file: erased (PIPL)
        raise Http404
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="{doc.pk}.{doc.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
