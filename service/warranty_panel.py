"""The order page's warranty panel: the assessment's decision and the Three Guarantees owed."""

from django.template.loader import render_to_string
from django.utils import timezone

from .warranty import decision_view, entitlements_view, unit_entitlements


def order_warranty_panel(order, actor) -> str:
    """For staff: what the assessment decided (component, reason, last day, convention) and the
    remedies the Three Guarantees owe on the request day, with their reasons (docs/warranty.md)."""
    if order.unit_id is None or actor.is_customer:
        return ""
    on = timezone.localdate(order.created_at)
    entitled = entitlements_view(unit_entitlements(order.unit, on=on), on)
    return render_to_string(
        "service/partials/warranty_panel.html",
        {"decision": decision_view(order), "entitled": entitled, "on": on},
    )
