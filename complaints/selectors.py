"""Reads of complaints; every read starts from the actor's scope (``permissions.visible_to``)."""

from django.db.models import Prefetch

from sla.templatetags.sla_tags import clock_rows

from .models import Complaint, ComplaintClock
from .permissions import visible_to


def complaints_of_order(*, actor, order_id: int) -> list[Complaint]:
    """The order's complaints the actor may see, newest first, with owner and SLA clocks (each
    complaint's ``clock_rows`` for the clocks table): one query, two when there are complaints."""
    complaints = list(
        visible_to(actor)
        .filter(order_id=order_id)
        .select_related("owner")
        .prefetch_related(Prefetch("clocks", queryset=ComplaintClock.objects.order_by("id"), to_attr="sla_clocks"))
        .order_by("-id")
    )
    for c in complaints:
        c.clock_rows = clock_rows(c)
    return complaints
