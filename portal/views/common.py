"""What every portal page shares: only customers get in; service errors become pages.

A ``NotFound`` from a selector or a service is a 404 (a forbidden object reads as missing);
any other ``DomainError`` nobody turned into form errors is shown with its own 4xx status.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from accounts.roles import can
from core.errors import DomainError, NotFound
from core.policies import get_policy


def customer_required(view):
    """Signed-in customers only (anonymous: log in; staff: 403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can(request.user, "portal.use"):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            return render(request, "portal/error.html", {"error": exc}, status=exc.status)

    return login_required(wrapped)


def page_size() -> int:
    return int(get_policy("list.page_size"))
