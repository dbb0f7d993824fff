"""The project's own pages: the start page, which sends every role to its home."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.navigation import home_url


@login_required
def home(request):
    """Send each role to its home page (``accounts.navigation.HOMES``)."""
    url = home_url(request.user)
    if url is None:
        raise PermissionDenied
    return redirect(url)
