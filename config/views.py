"""The project's own pages: the start page, which knows every role's app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.choices import Role
from accounts.roles import can


@login_required
def home(request):
    """Send each role to its own start page."""
    user = request.user
    if user.role == Role.CUSTOMER:
        return redirect("portal:home")
    if user.role == Role.ENGINEER:
        return redirect("service:engineer")
    if user.role in (Role.SUPERVISOR, Role.MANAGER, Role.ANALYST) and can(user, "dashboard.view"):
        return redirect("analytics:dashboard")  # those who oversee the work start from its figures
    return redirect("service:queue")
