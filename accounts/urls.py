"""Login with lockout and two-factor; mounted at the site root by config/urls.py."""

from django.urls import path
from django.views.generic import RedirectView

from . import auth_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("login/verify/", auth_views.login_verify, name="login_verify"),
    path("account/two-factor/", auth_views.two_factor, name="two_factor"),
    # One login page for everyone: the admin's own form would skip the code step.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login_redirect"),
]
