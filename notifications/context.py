"""The bell's unread count for every page (``settings.TEMPLATES`` context processor).

The count is lazy: one COUNT query, made only when a page renders the bell."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
