"""Who may open which console page; a page names the test it needs."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.choices import Role
from accounts.roles import can


def requires(test):
    """Anonymous users go to the login page; signed-in users failing ``test`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def capability(name: str):
    return requires(lambda user: can(user, name))


def is_staff_member(user) -> bool:
    return user.is_active and (user.is_superuser or user.role != Role.CUSTOMER)


console = capability("order.view_all")
staff = requires(is_staff_member)
engineer_only = capability("engineer.work")
