"""Request size caps: a body too large for its route is refused (HTTP 413) before it is read.

Two lines of defence, both at the cap of the request's route (``settings.REQUEST_MAX_BYTES``,
or ``settings.REQUEST_MAX_BYTES_BY_URL`` for the routes that take files):

* ``RequestSizeMiddleware`` refuses a request whose ``Content-Length`` is over the cap before
  anything reads its body (it runs before every ``process_view``, so before the CSRF check
  reads the form);
* ``CappedUploadHandler``, first of ``FILE_UPLOAD_HANDLERS``, counts the bytes the multipart
  parser actually hands over and stops at the cap (plus at most one 64 KB chunk), whatever the
  header said, so nothing past the cap is spooled to memory or disk.

Django's own refusals of an oversized or overfull form (``RequestDataTooBig``,
``TooManyFieldsSent``, ``TooManyFilesSent``: a ``SuspiciousOperation``, an HTML 400 by
default) get the same 413 through ``core.views.bad_request`` (``handler400``).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _


class RequestTooLarge(RequestDataTooBig):
    """A request body over its route's cap (``cap`` bytes)."""

    def __init__(self, cap: int):
        self.cap = cap
        super().__init__(f"The request body is over its cap of {cap} bytes.")


def route_cap(request) -> int:
    """The most bytes a request to this route may send."""
    by_url = settings.REQUEST_MAX_BYTES_BY_URL
    match = getattr(request, "resolver_match", None)
    if match is None and by_url:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    name = match.view_name if match is not None else None
    return int(by_url.get(name, settings.REQUEST_MAX_BYTES))


def declared_length(request) -> int:
    """``Content-Length`` read as Django reads it (the bound of what Django will read)."""
    try:
        return int(request.META.get("CONTENT_LENGTH"))
    except (TypeError, ValueError):
        return 0


def is_too_large(request, exc) -> bool:
    """Django's refusals that mean "the body is too large": too many bytes or files, or too
    many fields in a body (too many in a query string stay a 400)."""
    if isinstance(exc, RequestDataTooBig | TooManyFilesSent):
        return True
    return isinstance(exc, TooManyFieldsSent) and request.method not in ("GET", "HEAD")


def too_large_message(cap: int | None = None) -> str:
    if cap is None:
        return _("The request is too large.")
    if cap >= 1024 * 1024:
        return _("The request is too large: at most %(mb)s MB can be sent at once.") % {
            "mb": round(cap / 1024 / 1024, 1)
        }
    return _("The request is too large: at most %(kb)s KB can be sent at once.") % {"kb": max(1, round(cap / 1024))}


def too_large_response(request, cap: int | None = None):
    """The product's 413: the API error shape under ``/api/``, the translated page elsewhere."""
    message = too_large_message(cap)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_large", "message": message, "fields": {}}, status=413)
    return render(request, "core/too_large.html", {"message": message}, status=413)


class RequestSizeMiddleware:
    """Refuses with 413 a request whose ``Content-Length`` is over its route's cap, unread.

    Placed after the locale and authentication middleware (the page is translated and shows
    the signed-in menu) and before anything that reads the body; the check itself costs a URL
    resolution only for a request over the smallest cap."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length > min(settings.REQUEST_MAX_BYTES, *settings.REQUEST_MAX_BYTES_BY_URL.values()):
            cap = route_cap(request)
            if length > cap:
                return too_large_response(request, cap)
        return self.get_response(request)


class CappedUploadHandler(FileUploadHandler):
    """Stops a multipart upload at the route's cap: refuses by the declared length before
    reading, and counts the file bytes actually received, so a body longer than its header
    (or one without a length, on a server that streams it) is cut at the cap plus one chunk.
    Passes every chunk on unchanged to the next handlers (memory, then temporary file)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.cap = route_cap(request) if request is not None else int(settings.REQUEST_MAX_BYTES)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.cap:
            raise RequestTooLarge(self.cap)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.cap:
            raise RequestTooLarge(self.cap)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file
