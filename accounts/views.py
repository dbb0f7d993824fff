"""The audit log page and its export (admins and auditors: ``audit.view``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.errors import DomainError

from . import auditlog
from .roles import can

PAGE = 50


def _allowed(request) -> None:
    if not can(request.user, "audit.view"):
        raise PermissionDenied


def _links(request, next_cursor) -> dict:
    params = request.GET.copy()
    params.pop("cursor", None)
    first = params.urlencode()
    following = None
    if next_cursor:
        params["cursor"] = next_cursor
        following = params.urlencode()
    return {"first_qs": first, "next_qs": following, "is_first": not request.GET.get("cursor"), "filter_qs": first}


@login_required
def audit_log(request):
    _allowed(request)
    form = auditlog.AuditFilterForm(request.GET)
    rows, next_cursor = [], None
    if form.is_valid():
        try:
            rows, next_cursor = auditlog.audit_page(form.cleaned_data, size=PAGE)
        except DomainError as exc:  # a tampered or stale cursor
            form.add_error(None, str(exc.message))
    context = {
        "form": form,
        "rows": auditlog.presented(rows, request.user),
        "counts": auditlog.last_day_counts(timezone.now()),
        **_links(request, next_cursor),
    }
    return render(request, "accounts/audit.html", context, status=400 if form.errors else 200)


@login_required
def audit_export(request):
    """The filtered rows as CSV (newest first); the export is itself logged."""
    _allowed(request)
    form = auditlog.AuditFilterForm(request.GET)
    if form.is_valid():
        data = {**form.cleaned_data, "cursor": ""}
        try:
            _count, lines = auditlog.audit_log_export(actor=request.user, data=data, filters=form.filters())
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
            return response
    context = {"form": form, "rows": [], **_links(request, None)}
    return render(request, "accounts/audit.html", context, status=400)
