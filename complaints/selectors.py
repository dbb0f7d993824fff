"""Reads of complaints; every read starts from the actor's scope (``permissions.visible_to``)."""

from .models import Complaint
from .permissions import visible_to


def complaints_of_order(*, actor, order_id: int) -> list[Complaint]:
    """The order's complaints the actor may see, newest first, with owner (two queries at most)."""
    return list(visible_to(actor).filter(order_id=order_id).select_related("owner").order_by("-id"))
