from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.errors import ValidationFailed
from core.models import AuditLog
from core.pagination import keyset_page

from .roles import can


@login_required
def audit_log(request):
    if not can(request.user, "audit.view"):
        raise PermissionDenied
    qs = AuditLog.objects.select_related("actor")
    object_type = request.GET.get("type", "")[:60]
    if object_type:
        qs = qs.filter(object_type=object_type)
    try:
        rows, next_cursor = keyset_page(qs, order=["-id"], cursor=request.GET.get("cursor") or None, size=50)
    except ValidationFailed:  # a tampered cursor: show the first page
        rows, next_cursor = keyset_page(qs, order=["-id"], cursor=None, size=50)
    return render(
        request, "accounts/audit.html", {"rows": rows, "next_cursor": next_cursor, "object_type": object_type}
    )
