"""The manager's dashboard page: the figures of ``analytics.dashboard`` as charts and tables.

Charts are drawn by ECharts from our own static files (``analytics/static/analytics/vendor``),
fed by the figures embedded in the page (``json_script``); a click on a bar opens the console
queue filtered to the orders behind it, and every number in the tables links there too.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Department
from core.errors import ValidationFailed
from customers.models import Customer
from products.models import ProductLine
from service.views.access import capability

from . import dashboard as D
from .forms import DashboardFilterForm


@capability("dashboard.view")
def dashboard(request):
    form = DashboardFilterForm(
        request.GET or None,
        regions=Customer.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct(),
        product_lines=[(x.pk, x.label) for x in ProductLine.objects.order_by("name")],
        departments=[(x.pk, x.label) for x in Department.objects.order_by("name")],
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    try:
        filters = D.parse_filters(**form.values())
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            form.add_error(field, messages)
        filters, status = D.parse_filters(), 400
    data = D.dashboard(actor=request.user, filters=filters)
    context = {
        "form": form,
        "data": data,
        "filters": filters,
        "presets": [{"days": n, "query": preset_query(filters, n)} for n in D.PRESETS],
        "charts": chart_data(data),
    }
    return render(request, "analytics/dashboard.html", context, status=status)


def preset_query(filters: D.Filters, days: int) -> str:
    """The dashboard's own query string for the last ``days`` days, other filters kept."""
    q = filters.query(days=days)
    return "&".join(p for p in q.split("&") if not p.startswith(("received_from=", "received_to=")))


def chart_data(data: dict) -> dict:
    """What dashboard.js draws: labels, values and each bar's drill-down query, translated."""
    hours = lambda minutes: None if minutes is None else round(minutes / 60, 1)  # noqa: E731
    return {
        "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
        "queue": reverse("service:queue"),
        "status": {
            "labels": [r["label"] for r in data["by_status"]],
            "counts": [r["count"] for r in data["by_status"]],
            "queries": [r["query"] for r in data["by_status"]],
            "name": _("Orders"),
        },
        "intake": {
            "labels": [r["day"].isoformat() for r in data["per_day"]],
            "counts": [r["count"] for r in data["per_day"]],
            "queries": [r["query"] for r in data["per_day"]],
            "name": _("Received"),
        },
        "sla": {
            "labels": [r["label"] for r in data["sla"]["by_clock"]],
            "series": [
                {
                    "name": name,
                    "state": state,
                    "data": [r[state] for r in data["sla"]["by_clock"]],
                    "queries": [r["queries"][state] for r in data["sla"]["by_clock"]],
                }
                for state, name in (("met", _("Met on time")), ("breached", _("Breached")), ("pending", _("Pending")))
            ],
        },
        "times": {
            "labels": [r["label"] for r in data["times"]],
            "queries": [r["query"] for r in data["times"]],
            "unit": _("hours"),
            "series": [
                {"name": name, "data": [hours(r[key]) for r in data["times"]]}
                for key, name in (
                    ("median_minutes", _("Median")),
                    ("p90_minutes", _("90th percentile")),
                    ("target_median_minutes", _("Target (median)")),
                    ("target_p90_minutes", _("Target (90th percentile)")),
                )
            ],
        },
        "backlog": {
            "labels": [r["label"] for r in data["backlog"]],
            "counts": [r["count"] for r in data["backlog"]],
            "queries": [r["query"] for r in data["backlog"]],
            "name": _("Open orders"),
        },
    }
