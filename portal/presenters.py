"""Warranty coverage as the portal shows it: one row per component class, reasons in words."""

from core.i18n import pick
from products.periods import Convention
from products.warranty import Reason


def reason_label(code: str) -> str:
    return str(Reason(code).label) if code in Reason.values else ""


def coverage_rows(components) -> list[dict]:
    """Rows from ``ComponentCoverage`` objects or from ``products.api.warranty_data`` dicts."""
    rows = []
    for c in components:
        if isinstance(c, dict):
            name, months, start, end, covered, reason, convention = (
                pick(c["name"], c.get("name_en", "")),
                c["months"],
                c["start"],
                c["end"],
                c["in_warranty"],
                c["reason"],
                c.get("convention", ""),
            )
        else:
            name, months, start, end, covered, reason, convention = (
                c.component_class.label,
                c.months,
                c.start,
                c.end,
                c.in_warranty,
                c.reason,
                c.convention,
            )
        rows.append(
            {
                "name": name,
                "months": months,
                "start": start,
                "end": end,
                "in_warranty": covered,
                "reason": reason,
                "reason_label": reason_label(reason),
                "convention": str(Convention(convention).label) if convention in Convention.values else "",
            }
        )
    return rows
