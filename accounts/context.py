from django.urls import reverse

from .navigation import menu_for, menu_tree


def navigation(request):
    """The menu of the signed-in user (``accounts.navigation``): ``nav`` items — a link (label,
    URL, whether it is the current page) or a drop-down (label, ``links``, whether it holds the
    current page) — and ``nav_keys`` for pages offering the same links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    entries = menu_for(user)

    def link(e):
        return {"label": e.label, "url": reverse(e.url_name), "current": e.url_name == current}

    nav = []
    for item in menu_tree(entries):
        if item.is_group:
            links = [link(e) for e in item.entries]
            nav.append({"label": item.label, "links": links, "current": any(x["current"] for x in links)})
        else:
            nav.append(link(item.entry))
    return {
        "is_customer": user.role == "customer",
        "nav": nav,
        "nav_keys": frozenset(e.key for e in entries),
    }
