"""``{% order_clocks order %}``: an order's SLA clocks (templates/sla/partials/clocks.html)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ClockName, ClockType

register = template.Library()


def duration_text(seconds: int) -> str:
    """``2 h 30 min``; whole minutes (seconds are dropped)."""
    minutes = max(int(seconds), 0) // 60
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if minutes or not hours:
        parts.append(_("%(n)s min") % {"n": minutes})
    return " ".join(parts)


def target_text(clock_type: str, amount: int) -> str:
    if clock_type == ClockType.WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", amount) % {"n": amount}
    return duration_text(amount * 60)


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def clock_rows(order) -> list[dict]:
    clocks = getattr(order, "sla_clocks", None)
    if clocks is None:
        clocks = order.clocks.order_by("id")
    return [
        {
            "clock": c,
            "name": _label(ClockName, c.clock),
            "type": _label(ClockType, c.clock_type),
            "target": target_text(c.clock_type, c.amount),
            "extended": bool(c.extended_at and c.original_due_at and c.original_due_at != c.due_at),
            "paused": duration_text(c.paused_seconds) if c.paused_seconds else "",
        }
        for c in clocks
    ]


@register.inclusion_tag("sla/partials/clocks.html")
def order_clocks(order):
    """Render the order's clocks: name, type, target, due (Asia/Shanghai), original due if
    extended, paused time, state, provisional marker and extension reason."""
    return {"rows": clock_rows(order)}
