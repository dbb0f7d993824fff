"""Authentication backends: django-axes' lockout check, tolerant of calls without a request."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a login while its username + address pair is locked out (django-axes).

    Every login over HTTP passes the request (the login page, the admin's form). A call
    without one cannot come from a client — only from code such as the test client's
    ``login()`` — so it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
