from django.db import connection
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Pages name their icon; a client that asks for the conventional ``/favicon.ico`` is sent
    to it rather than answered 404. Resolved per request: the hashed name of the manifest
    storage exists only after ``collectstatic``."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@csrf_exempt  # it changes nothing, whatever the method
def api_not_found(request):
    """A path under ``/api/`` that no operation matches: the API's 404, in its ``{code, message, fields}`` shape."""
    return JsonResponse({"code": "not_found", "message": _("Not found."), "fields": {}}, status=404)


def bad_request(request, exception):
    """``handler400``: Django's refusal of an oversized or overfull body (raised wherever the body
    is first read, e.g. by the CSRF check) is the product's 413, as a page or in the API's shape;
    any other 400 is Django's own."""
    from .limits import is_too_large, too_large_response

    if is_too_large(request, exception):
        return too_large_response(request, getattr(exception, "cap", None))
    return defaults.bad_request(request, exception)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


def permission_denied(request, exception):
    """``handler403``: the product's page (templates/403.html), or the API's error shape."""
    if _is_api(request):
        return _api_error("forbidden", _("You do not have permission to do this."), 403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    """``handler404``: the product's page (templates/404.html), or the API's error shape."""
    if _is_api(request):
        return _api_error("not_found", _("Not found."), 404)
    return render(request, "404.html", {"request_path": request.path}, status=404)


@requires_csrf_token
def server_error(request):
    """``handler500``: a page that needs neither the database nor the context processors
    (templates/500.html renders without a request), or the API's error shape."""
    if _is_api(request):
        return _api_error("server_error", _("Something went wrong on our side. Please try again later."), 500)
    return HttpResponseServerError(loader.get_template("500.html").render())
