from django.urls import reverse

from .navigation import menu_for


def navigation(request):
    """The menu of the signed-in user (``accounts.navigation``): ``nav`` entries with their URL
    and whether they are the current page, and ``nav_keys`` for pages offering the same links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    entries = menu_for(user)
    return {
        "is_customer": user.role == "customer",
        "nav": [{"label": e.label, "url": reverse(e.url_name), "current": e.url_name == current} for e in entries],
        "nav_keys": frozenset(e.key for e in entries),
    }
