"""``POST /insert``: one INSERT. ``GET /select?key=…``: one indexed SELECT. Both answer small JSON."""

import uuid

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .models import Hit


@csrf_exempt
def insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    hit = Hit.objects.create(key=uuid.uuid4().hex, at=timezone.now(), body=request.body.decode()[:2000])
    return JsonResponse({"id": hit.pk, "key": hit.key}, status=201)


def select(request):
    hit = Hit.objects.filter(key=request.GET.get("key", "")[:40]).first()
    return JsonResponse({"id": hit.pk if hit else None, "at": hit.at if hit else None})


urlpatterns = [path("insert", insert), path("select", select)]
