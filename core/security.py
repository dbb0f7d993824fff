"""Web security pieces that are not in Django itself: extra headers, the client address and
rate limits on public endpoints.

Rate limits are fixed-window counters in the ``ratelimit`` cache (Redis in production when
``REDIS_URL`` is set), configured per URL name in ``settings.RATE_LIMITS``. A rule counts every
request (key ``ip`` or ``user``) or, for the login steps, only the failed logins from an address
(key ``failed-logins``): a call centre behind one office address logs in at shift start without
being throttled, while guessing passwords from one address is.
"""

import hashlib
import ipaddress
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the entry that the trusted proxies appended to
    ``X-Forwarded-For`` (``settings.TRUSTED_PROXY_COUNT`` proxies in front of us). ``None``
    when there is no valid address (e.g. a request built in code)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies and _valid_ip(hops[-proxies]):
            return _valid_ip(hops[-proxies])
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` → (10, 60); ``"30/10m"`` → (30, 600)."""
    match = _RATE_RE.match(rate.strip())
    if not match:
        raise ValueError(f"bad rate {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


def _cache_key(scope: str, key: str, window: int, now: float | None) -> str:
    bucket = int((time.time() if now is None else now) // window)
    digest = hashlib.sha256(f"{scope}|{key}".encode()).hexdigest()[:32]
    return f"rl:{digest}:{window}:{bucket}"


def count(scope: str, key: str, rate: str, *, now: float | None = None) -> int:
    """How many times ``key`` was counted in ``scope`` in the current window of ``rate``."""
    _limit, window = parse_rate(rate)
    return int(caches["ratelimit"].get(_cache_key(scope, key, window, now)) or 0)


def hit(scope: str, key: str, rate: str, *, now: float | None = None) -> bool:
    """Count one request of ``key`` in ``scope``; True when it goes over ``rate``."""
    limit, window = parse_rate(rate)
    cache_key = _cache_key(scope, key, window, now)
    cache = caches["ratelimit"]
    if cache.add(cache_key, 1, window + 5):
        return 1 > limit
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window + 5)
        count = 1
    return count > limit


def _too_many(request, retry_after: int):
    message = _("Too many requests. Please wait a few minutes and try again.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "rate_limited", "message": message, "fields": {}}, status=429)
    else:
        response = render(request, "accounts/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


FAILED_LOGINS = "failed-logins"
_COUNT_FAILURE = "_ratelimit_failed_login"  # request attribute: (scope, key, rate) to count a failure in


def count_failed_login(sender, credentials=None, request=None, **kwargs):
    """``user_login_failed`` receiver (connected in ``CoreConfig.ready``): a failed login (wrong
    password, a refusal during a lockout, a wrong two-factor code) of a request to a
    ``failed-logins`` rule counts against its address, once per request."""
    rule = getattr(request, _COUNT_FAILURE, None)
    if rule is not None:
        setattr(request, _COUNT_FAILURE, None)
        hit(*rule)


class RateLimitMiddleware:
    """Refuses with 429 the requests to a URL name in ``settings.RATE_LIMITS`` over its rate.

    Key ``ip`` or ``user``: every request counts. Key ``failed-logins``: only the failed logins
    from the address count (``count_failed_login``), and a request is refused once the address
    has used up the rate's failures in the current window, whatever the credentials it sends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(settings, "RATE_LIMITS_ENABLED", True) or request.resolver_match is None:
            return None
        name = request.resolver_match.view_name
        rule = settings.RATE_LIMITS.get(name)
        if rule is None:
            return None
        methods, rate, key_kind = rule
        if request.method not in methods:
            return None
        if key_kind == FAILED_LOGINS:
            key = f"ip:{client_ip(request) or 'unknown'}"
            if count(name, key, rate) >= parse_rate(rate)[0]:
                return _too_many(request, parse_rate(rate)[1])
            setattr(request, _COUNT_FAILURE, (name, key, rate))
            return None
        user = getattr(request, "user", None)
        if key_kind == "user" and user is not None and user.is_authenticated:
            key = f"user:{user.pk}"
        else:
            key = f"ip:{client_ip(request) or 'unknown'}"
        if hit(name, key, rate):
            return _too_many(request, parse_rate(rate)[1])
        return None


class SecurityHeadersMiddleware:
    """Adds ``settings.SECURITY_EXTRA_HEADERS`` (Permissions-Policy, CORP) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = dict(getattr(settings, "SECURITY_EXTRA_HEADERS", {}))

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response
