"""The inbox, the bell's target, for staff and customers alike (the page takes the portal's
look for customers), the preferences page, and the language switch that remembers the choice."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.roles import can
from core.errors import DomainError, NotFound
from core.policies import get_policy

from . import selectors, services
from .forms import PreferenceForm
from .preferences import LANGUAGE_CODES, preference_get, preference_set


def inbox_user(view):
    """Signed-in people with an inbox; a notification that is not theirs is a 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can(request.user, "notifications.inbox"):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    return login_required(wrapped)


@inbox_user
def inbox(request):
    unread = request.GET.get("unread") == "1"
    status = 200
    try:
        rows, next_cursor = selectors.inbox_page(
            request.user,
            cursor=request.GET.get("cursor") or None,
            size=int(get_policy("list.page_size")),
            unread=unread,
        )
    except DomainError as exc:  # a tampered or stale cursor
        messages.error(request, str(exc.message))
        rows, next_cursor, status = [], None, 400
    context = {"rows": rows, "next_cursor": next_cursor, "unread_only": unread}
    if request.htmx:
        return render(request, "notifications/partials/inbox_rows_more.html", context, status=status)
    return render(request, "notifications/inbox.html", context, status=status)


@require_POST
@inbox_user
def open_notification(request, notification_id: int):
    """Opening a notification marks it read and goes to what it is about."""
    if not 0 < notification_id < 2**62:
        raise Http404
    n = services.notification_mark_read(actor=request.user, notification_id=notification_id)
    return redirect(n.link or "notifications:inbox")


@require_POST
@inbox_user
def read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:inbox")


@inbox_user
def preferences(request):
    current = preference_get(request.user)
    form = PreferenceForm(request.POST or None, initial=current, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            preference_set(
                actor=request.user, language=form.cleaned_data["language"], channels=form.cleaned_data["channels"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your notification preferences are saved."))
            response = redirect("notifications:preferences")
            _remember_language(response, form.cleaned_data["language"])
            return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


def _remember_language(response, language: str) -> None:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")


def set_language(request):
    """Django's language switch; a signed-in person's choice also becomes the language their
    messages are written in (``notifications.preferences``)."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if language in LANGUAGE_CODES and can(request.user, "notifications.inbox"):
        preference_set(actor=request.user, language=language)
    return response
