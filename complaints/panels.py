"""The order page's complaints panel: the order's complaints, their status and SLA clocks."""

from django.template.loader import render_to_string

from .selectors import complaints_of_order


def order_complaints_panel(order, actor) -> str:
    complaints = complaints_of_order(actor=actor, order_id=order.pk)
    if not complaints:
        return ""
    return render_to_string("complaints/partials/order_complaints.html", {"complaints": complaints})
