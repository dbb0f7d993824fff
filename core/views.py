from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


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
