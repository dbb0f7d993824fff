"""Login (password, then a TOTP code for users who enrolled one) and two-factor enrolment."""

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from core.errors import DomainError

from . import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class LoginView(auth_views.LoginView):
    """Django's login form (throttled by django-axes); a user with a confirmed TOTP device
    is not logged in here but sent to the code step."""

    template_name = "registration/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_device(user):
            twofactor.start_pending(self.request, user, backend=user.backend, next_url=self.get_success_url())
            return redirect("login_verify")
        self.request.two_factor_passed = True  # no device: the password is the whole login
        return super().form_valid(form)


def _lockout(request):
    return render(request, "accounts/lockout.html", status=429)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_verify(request):
    """The second step: the 6-digit code of the pending user's authenticator app."""
    pending = twofactor.pending_login(request)
    user = None
    if pending is not None:
        user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        twofactor.clear_pending(request)
        messages.info(request, _("Please log in again."))
        return redirect("login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        twofactor.clear_pending(request)
        return _lockout(request)
    device = twofactor.confirmed_device(user)
    if device is None:  # turned off meanwhile: start again with the password
        twofactor.clear_pending(request)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = device.verify_is_allowed()[0]
        if allowed and device.verify_token("".join(form.cleaned_data["code"].split())):
            twofactor.clear_pending(request)
            request.two_factor_passed = True
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            next_url = pending.get("next") or "/"
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = "/"
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            twofactor.clear_pending(request)
            return _lockout(request)
        form.add_error(
            "code", _("That code is not valid.") if allowed else _("Too many wrong codes. Wait a moment and try again.")
        )
    return render(request, "accounts/login_verify.html", {"form": form})


@login_required
@never_cache
def two_factor(request):
    """Staff turn TOTP two-factor on (scan, confirm with a code) or off (with a code)."""
    user = request.user
    if not twofactor.may_use(user):
        raise Http404
    enabled = twofactor.has_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enabled:
                twofactor.two_factor_disable(actor=user, code=form.cleaned_data["code"])
                messages.success(request, _("Two-factor authentication is off."))
            else:
                key = request.session.get(twofactor.ENROL_KEY, "")
                device = twofactor.two_factor_enable(actor=user, key=key, code=form.cleaned_data["code"])
                request.session.pop(twofactor.ENROL_KEY, None)
                otp_login(request, device)
                messages.success(request, _("Two-factor authentication is on. Your next login will ask for a code."))
            return redirect("two_factor")
        except DomainError as exc:
            for field, errors in (exc.fields or {"code": [exc.message]}).items():
                for error in errors:
                    form.add_error("code" if field not in form.fields else field, error)
    context = {"form": form, "enabled": enabled}
    if not enabled:
        key = request.session.get(twofactor.ENROL_KEY)
        if not key or request.method == "GET" and request.GET.get("new") == "1":
            key = twofactor.new_key()
            request.session[twofactor.ENROL_KEY] = key
        uri = twofactor.config_url(user, key)
        context.update(
            otpauth_uri=uri,
            secret=twofactor.secret_b32(key),
            qr_data_uri=segno.make(uri, error="m").svg_data_uri(scale=4, border=2),
        )
    return render(request, "accounts/two_factor.html", context)
