"""Keep API errors in the ``{code, message, fields}`` shape even when Django itself refuses a request."""

import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .limits import is_too_large, too_large_response

log = logging.getLogger(__name__)


class ErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):  # django-ninja answers a wrong method in plain text
            shaped = JsonResponse(
                {"code": "method_not_allowed", "message": _("This method is not allowed here."), "fields": {}},
                status=405,
            )
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response

    def process_exception(self, request, exc):
        if is_too_large(request, exc):  # a body read by the view: the same 413 as handler400's
            return too_large_response(request, getattr(exc, "cap", None))
        return None


DENIAL_STATUSES = frozenset({401, 403, 404})
_UNLOGGED_PREFIXES = ("/static/", "/favicon.ico")


class DenialLogMiddleware:
    """Every refused request is logged (issue: "every denial … is logged"): a 401, a 403, or a
    404 for a signed-in user (a forbidden object reads as not found, so a 404 may be a denial
    in disguise) appends one ``denied`` row to the audit log — who, which method and path,
    which status, from which address. Anonymous 404s (crawlers) are not logged; a 401 is,
    since it is someone trying a token or a protected path. Nothing else changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status in DENIAL_STATUSES and not request.path.startswith(_UNLOGGED_PREFIXES):
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            if status != 404 or signed_in:
                self._log(request, status, user if signed_in else None)
        return response

    @staticmethod
    def _log(request, status: int, user) -> None:
        from .audit import record_denial

        try:
            record_denial(
                actor=user,
                method=request.method,
                path=request.path,
                status=status,
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except DatabaseError:  # the refusal stands even if the log cannot be written
            log.exception("could not log a refused request")
