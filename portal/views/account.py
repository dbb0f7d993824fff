"""Customer sign-up: a portal account, then straight in."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from core.errors import DomainError
from customers.services import customer_signup

from ..forms import SignupForm, add_domain_error


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = customer_signup(
                    username=data["username"],
                    password=data["password1"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                )
            except DomainError as exc:
                add_domain_error(form, exc, aliases={"password": "password1"})
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("Welcome! Your account is ready. Register your products to see their warranty.")
                )
                return redirect("portal:home")
        status = 422
    return render(request, "registration/signup.html", {"form": form}, status=status)
