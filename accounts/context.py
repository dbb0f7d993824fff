from .roles import can


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_customer": user.role == "customer",
        "is_engineer": user.role == "engineer",
        "can_console": can(user, "order.view_all"),
        "can_audit": can(user, "audit.view"),
        "can_dashboard": can(user, "dashboard.view"),
        "can_file": can(user, "request.create_for_customer"),
    }
