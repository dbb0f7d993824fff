"""Keep API errors in the ``{code, message, fields}`` shape even when Django itself refuses a request."""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _


class ErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, RequestDataTooBig):
            body = {"code": "too_large", "message": _("The request is too large."), "fields": {}}
            return JsonResponse(body, status=413)
        return None
