"""Two-factor guard: a login that skipped the code step is turned back into a pending one."""

from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect

from . import twofactor

GUARD_KEY = "two_factor_required"


@receiver(user_logged_in, dispatch_uid="accounts.two_factor_guard")
def _flag_unverified_login(sender, request, user, **kwargs):
    """Any login that did not pass our code step (e.g. the admin's own login form) is flagged
    when the user has a confirmed device; the middleware then asks for the code."""
    if request is None or getattr(request, "two_factor_passed", False):
        return
    if hasattr(request, "session") and twofactor.has_device(user):
        request.session[GUARD_KEY] = True


class TwoFactorGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(GUARD_KEY):
            user = request.user
            backend = session.get(BACKEND_SESSION_KEY, "django.contrib.auth.backends.ModelBackend")
            logout(request)
            if user.is_authenticated and user.is_active:
                twofactor.start_pending(request, user, backend=backend, next_url=request.get_full_path())
                if not request.path.startswith("/api/"):
                    return redirect("login_verify")
        return self.get_response(request)
