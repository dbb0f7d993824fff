"""Idempotent writes: a retried request is carried out once.

**API.** Every ``POST``, ``PUT``, ``PATCH`` and ``DELETE`` of ``/api/v1/`` honours an
``Idempotency-Key`` header (``install`` wraps each operation of the ninja API, so an endpoint
added later gets it too). After authentication the key is reserved for the caller: a row in
``IdempotencyKey`` inserted in its own transaction, the unique constraint deciding between two
requests that arrive together. The endpoint then runs in a transaction that also stores its
status and body on the row, so the outcome is remembered exactly when the effects are kept.

* a retry with the same key, method, path and body gets the stored status and body back with
  ``Idempotency-Replayed: true``, and nothing runs again;
* the same key with another body, method or path: 409 ``idempotency_mismatch``;
* the same key while the first request still runs: 409 ``idempotency_in_progress``;
* 2xx and 4xx outcomes are stored. A 4xx does not bind the key to its body: the corrected
  request may be sent with the same key (the same body replays the 4xx). A 5xx is rolled back
  and releases the key, so the retry runs;
* a key has at most 200 characters and no NUL (400 ``invalid_idempotency_key``); it is kept
  for ``IDEMPOTENCY_KEY_TTL`` seconds (default 24 h; ``manage.py purge_idempotency_keys``
  and an hourly job delete older ones). A reservation left by a crashed worker is taken over
  after ``settings.IDEMPOTENCY_LOCK_TIMEOUT`` seconds (150, config/settings/base.py).

The body is compared by a SHA-256 of its canonical form: JSON with sorted keys, or the form
fields and each uploaded file's name, size and content hash (a multipart upload sent again with
another boundary is the same request). Keys belong to the authenticated user; a request without
one (a public endpoint) is told apart by its client address.

**HTML forms.** ``{% form_token %}`` (``core/templatetags/once.py``) puts a one-time token in a
form; a view decorated with ``once_per_form`` runs once per token: a second submission of the
same form (a double click, a reload, the back button) is redirected to where the first one went,
with a message, instead of filing a second order or document. Only a redirect (the write went
through) is remembered; a form shown again with its errors can be corrected and sent again.
"""

import base64
import datetime as dt
import functools
import hashlib
import inspect
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
FORM_FIELD = "form_token"
MAX_KEY_LENGTH = 200
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

API_SCOPE = "api"
FORM_SCOPE = "form"
# Scopes of HTTP requests, purged after the TTL ("service-request": keys of the first intake-only version).
HTTP_SCOPES = (API_SCOPE, FORM_SCOPE, "service-request")

# Outcomes a retry may well change: not remembered.
TRANSIENT_STATUSES = frozenset({408, 425, 429})
KEPT_HEADERS = ("Location",)
NOT_HASHED_FIELDS = frozenset({"csrfmiddlewaretoken", FORM_FIELD})

RUN, REPLAY, IN_PROGRESS, MISMATCH = "run", "replay", "in_progress", "mismatch"


def key_ttl() -> int:
    return int(getattr(settings, "IDEMPOTENCY_KEY_TTL", 24 * 3600))


def lock_timeout() -> int:
    # settings.IDEMPOTENCY_LOCK_TIMEOUT (config/settings/base.py, the one place it is set): a
    # reservation older than that belongs to a request that can no longer finish.
    return int(settings.IDEMPOTENCY_LOCK_TIMEOUT)


def form_wait() -> float:
    return float(getattr(settings, "IDEMPOTENCY_FORM_WAIT", 5))


# --- the store ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Whose key: a user, or (no user) a client address."""

    user: object | None
    client: str = ""

    @classmethod
    def of(cls, request) -> "Owner":
        from django.contrib.auth import get_user_model

        from .security import client_ip

        User = get_user_model()  # the project's user model, from the settings

        auth = getattr(request, "auth", None)
        if isinstance(auth, User):
            return cls(auth)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return cls(user)
        address = client_ip(request) or "unknown"
        return cls(None, "ip:" + hashlib.sha256(address.encode()).hexdigest()[:40])

    def lookup(self) -> dict:
        if self.user is not None:
            return {"user": self.user}
        return {"user__isnull": True, "client": self.client}


@dataclass
class Claim:
    verdict: str  # RUN: the caller now holds ``row``; otherwise ``row`` is the other request's
    row: IdempotencyKey | None


def claim(
    owner: Owner, scope: str, key: str, *, method: str, path: str, request_hash: str, compare_body: bool = True
) -> Claim:
    """Reserve ``key`` for this request, or say why not (the stored outcome, still running, another request)."""

    def insert():
        with transaction.atomic():  # its own transaction: the reservation is seen by others at once
            return IdempotencyKey.objects.create(
                user=owner.user,
                client=owner.client,
                scope=scope,
                key=key,
                method=method,
                path=path,
                request_hash=request_hash,
                status_code=None,
                response={},
            )

    row = None
    for _attempt in range(5):
        now = timezone.now()
        try:
            return Claim(RUN, when_unlocked(insert))
        except IntegrityError:
            pass
        row = when_unlocked(lambda: IdempotencyKey.objects.filter(scope=scope, key=key, **owner.lookup()).first())
        if row is None:  # released in between
            continue
        take_over = functools.partial(_take_over, row, method=method, path=path, request_hash=request_hash, now=now)
        if (now - row.created_at).total_seconds() > key_ttl():
            if take_over():
                return Claim(RUN, row)
            continue
        if (row.method, row.path) != (method, path):
            return Claim(MISMATCH, row)
        if row.status_code is None:
            if (now - row.created_at).total_seconds() > lock_timeout() and take_over():
                return Claim(RUN, row)
            return Claim(IN_PROGRESS, row)
        if not compare_body or row.request_hash == request_hash:
            return Claim(REPLAY, row)
        if 400 <= row.status_code < 500:  # a refused request: the corrected one may reuse its key
            if take_over():
                return Claim(RUN, row)
            continue
        return Claim(MISMATCH, row)
    return Claim(IN_PROGRESS, row)


def _take_over(row: IdempotencyKey, *, method: str, path: str, request_hash: str, now) -> bool:
    """Reserve an expired, abandoned or refused row for a new request, unless another request did first."""
    same = {"pk": row.pk, "created_at": row.created_at, "request_hash": row.request_hash}
    same |= {"status_code__isnull": True} if row.status_code is None else {"status_code": row.status_code}
    fields = {"method": method, "path": path, "request_hash": request_hash, "status_code": None, "response": {}}
    if not when_unlocked(lambda: IdempotencyKey.objects.filter(**same).update(created_at=now, **fields)):
        return False
    for name, value in {**fields, "created_at": now}.items():
        setattr(row, name, value)
    return True


def _ours(row: IdempotencyKey):
    """Our reservation, as long as no other request has taken it over."""
    return IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at, status_code__isnull=True)


def release(row: IdempotencyKey) -> None:
    """Give the key up: the next request with it runs."""
    when_unlocked(lambda: _ours(row).delete())


def _is_locked(exc: OperationalError) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def when_unlocked(query, timeout: float = 10):
    """Run ``query``; while SQLite answers that another connection holds the write lock, try again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return query()
        except OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


class _Undo(Exception):
    """Leaves the transaction of a reserved request without keeping anything."""

    def __init__(self, response):
        self.response = response


def run_reserved(row: IdempotencyKey, call, outcome, lost):
    """Run ``call()`` for our reservation ``row``, in one transaction with storing its outcome on the row.

    ``outcome(response)`` says what to remember: ``None`` commits without remembering (the key is
    released), ``False`` rolls everything back (the key is released), a dict is stored. ``lost()``
    is the answer when our reservation expired and another request took it over: ours is then
    rolled back. On SQLite (one writer at a time) the transaction takes the write lock first, as
    ``BEGIN IMMEDIATE`` would, so that it never finds the database busy halfway through."""
    deadline = time.monotonic() + 10
    while True:
        started = False
        try:
            with transaction.atomic():
                if transaction.get_connection().vendor == "sqlite" and not _ours(row).update(status_code=None):
                    raise _Undo(lost())
                started = True
                response = call()
                stored = outcome(response)
                if stored is False:
                    raise _Undo(response)
                if stored is not None and not when_unlocked(
                    functools.partial(_ours(row).update, status_code=response.status_code, response=stored)
                ):
                    raise _Undo(lost())
            break
        except OperationalError as exc:
            if started or not _is_locked(exc) or time.monotonic() > deadline:
                release(row)
                raise
            time.sleep(0.02)  # the write lock is taken: nothing has run yet, try again
        except _Undo as undo:
            release(row)
            return undo.response
        except BaseException:
            release(row)
            raise
    if stored is None:
        release(row)
    return response


def purge_expired(now=None) -> int:
    """Delete the keys of HTTP requests older than ``IDEMPOTENCY_KEY_TTL`` (mail keys are kept)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=key_ttl())
    deleted, _ = IdempotencyKey.objects.filter(scope__in=HTTP_SCOPES, created_at__lt=cutoff).delete()
    return deleted


# --- what a request is --------------------------------------------------------------------------


def key_problem(key: str) -> str | None:
    if len(key) > MAX_KEY_LENGTH:
        return _("Ensure this value has at most %(max)s characters.") % {"max": MAX_KEY_LENGTH}
    if "\x00" in key:
        return _("Null characters are not allowed.")
    return None


def _path(request) -> str:
    """The path, as the database can store it (a NUL in a path is refused later, by the endpoint)."""
    return request.path.replace("\x00", "\ufffd")


def request_hash(request) -> str:
    """SHA-256 of the query and body in canonical form (uploaded files by their content)."""
    if request.method == "POST" and request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        files = []
        for name, uploads in sorted(request.FILES.lists()):
            for upload in uploads:
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                files.append([name, upload.name, upload.size, digest.hexdigest()])
        fields = sorted((k, v) for k, v in request.POST.lists() if k not in NOT_HASHED_FIELDS)
        body = {"form": fields, "files": files}
    else:
        raw = request.body
        boundary = request.content_params.get("boundary") if request.content_type.startswith("multipart/") else None
        if boundary:
            raw = raw.replace(boundary.encode("latin-1", "replace"), b"")
        try:
            body = {"json": json.loads(raw)} if raw else {"empty": True}
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = {"raw": hashlib.sha256(raw).hexdigest()}
    canonical = json.dumps(
        {"query": sorted(request.GET.lists()), **body}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- the API --------------------------------------------------------------------------------------


def install(api) -> None:
    """Make every write operation of ``api`` (present and future) honour ``Idempotency-Key``."""
    api.add_decorator(_idempotent_operation, mode="view")  # ninja 1.7: "view" wraps ``Operation.run``
    original = api.get_openapi_schema

    @functools.wraps(original)
    def get_openapi_schema(*args, **kwargs):
        return document(original(*args, **kwargs))

    api.get_openapi_schema = get_openapi_schema


def _idempotent_operation(run):
    operation = getattr(run, "__self__", None)
    if operation is None or inspect.iscoroutinefunction(run) or not WRITE_METHODS & set(operation.methods):
        return run  # reads, and async operations (none yet: tests/… checks that every write is covered)
    checks = operation._run_checks

    def run_checks(request):
        if getattr(request, "_idempotency_checked", False):
            return None  # authentication and throttling already ran, before the key was reserved
        return checks(request)

    operation._run_checks = run_checks

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip() if request.method in WRITE_METHODS else ""
        if not key:
            return run(request, *args, **kwargs)
        error = checks(request)
        if error is not None:
            return error
        request._idempotency_checked = True
        return _run_once(operation.api, request, key, lambda: run(request, *args, **kwargs))

    wrapper.idempotent = True
    return wrapper


def _run_once(api, request, key: str, call) -> HttpResponse:
    from .api import error_body

    problem = key_problem(key)
    if problem:
        body = error_body("invalid_idempotency_key", _("The Idempotency-Key header is not valid."), {HEADER: [problem]})
        return api.create_response(request, body, status=400)
    try:
        digest = request_hash(request)
        got = claim(Owner.of(request), API_SCOPE, key, method=request.method, path=_path(request), request_hash=digest)
    except Exception as exc:  # a body too big or unreadable, a database down: answered as without a key
        return api.on_exception(request, exc)
    if got.verdict == REPLAY:
        return replay(got.row)
    if got.verdict == MISMATCH:
        message = _("This Idempotency-Key was used with a different request.")
        return api.create_response(request, error_body("idempotency_mismatch", message), status=409)
    if got.verdict == IN_PROGRESS:
        return _in_progress(api, request)
    try:
        return run_reserved(got.row, call, _api_outcome, lambda: _in_progress(api, request))
    except Exception as exc:
        return api.on_exception(request, exc)


def _api_outcome(response):
    if response.status_code >= 500:
        return False  # nothing of a failed request is kept, and the retry runs
    return _storable(response)


def _in_progress(api, request):
    from .api import error_body

    message = _(
        "A request with this Idempotency-Key is still being processed. Wait until it is done, then send it again."
    )
    return api.create_response(request, error_body("idempotency_in_progress", message), status=409)


def _storable(response) -> dict | None:
    """What to keep of ``response`` for a retry with the same key; nothing of a transient answer
    or of one marked ``Cache-Control: no-store`` (personal data revealed on purpose, each time
    logged: a retry runs again rather than replaying a copy kept in the database)."""
    if response.streaming or response.status_code in TRANSIENT_STATUSES:
        return None
    if "no-store" in response.get("Cache-Control", ""):
        return None
    content = response.content
    try:
        text = content.decode("utf-8")
        body = {"text": text} if "\x00" not in text else {"base64": base64.b64encode(content).decode("ascii")}
    except UnicodeDecodeError:  # (PostgreSQL's JSON holds no NUL)
        body = {"base64": base64.b64encode(content).decode("ascii")}
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    return {**body, "content_type": response.get("Content-Type", ""), "headers": headers}


def replay(row: IdempotencyKey) -> HttpResponse:
    stored = row.response
    content = base64.b64decode(stored["base64"]) if "base64" in stored else stored.get("text", "").encode("utf-8")
    response = HttpResponse(content, status=row.status_code, content_type=stored.get("content_type") or None)
    for name, value in stored.get("headers", {}).items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def document(schema: dict) -> dict:
    """The ``Idempotency-Key`` header on every write operation of the OpenAPI document."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "description": "Any unique string (a UUID): a retry with the same key is carried out once and "
        "answered with the first response (header Idempotency-Replayed: true). Kept 24 hours by default.",
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    }
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() in WRITE_METHODS and isinstance(operation, dict):
                params = operation.setdefault("parameters", [])
                if not any(p.get("in") == "header" and p.get("name") == HEADER for p in params):
                    params.append(parameter)
    return schema


# --- HTML forms -----------------------------------------------------------------------------------


def new_form_token() -> str:
    return get_random_string(32)


def once_per_form(view):
    """Run a form view once per ``form_token``: a second submission goes where the first one went.

    Apply it under the login check (the token belongs to the signed-in user). A form without a
    token is handled as before; CSRF is checked by the middleware as for any form."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
        if not token:
            return view(request, *args, **kwargs)
        if key_problem(token):
            raise BadRequest("form token")
        owner, digest = Owner.of(request), request_hash(request)
        deadline = time.monotonic() + form_wait()
        while True:
            got = claim(
                owner,
                FORM_SCOPE,
                token,
                method=request.method,
                path=_path(request),
                request_hash=digest,
                compare_body=False,
            )
            if got.verdict != IN_PROGRESS or time.monotonic() >= deadline:
                break
            time.sleep(0.1)  # a double click: wait for the first submission to finish
        if got.verdict == MISMATCH:
            raise BadRequest("form token")
        if got.verdict == REPLAY:
            messages.info(request, _("This form was already sent, so it was not sent again."))
            location = got.row.response.get("location", "")
            return HttpResponseClientRedirect(location) if getattr(request, "htmx", False) else redirect(location)
        if got.verdict == IN_PROGRESS:
            return _form_busy(request)
        return run_reserved(got.row, lambda: view(request, *args, **kwargs), _form_outcome, lambda: _form_busy(request))

    return wrapped


def _form_outcome(response):
    """A redirect (the write went through) is remembered; a form shown again with its errors is not,
    so that it can be corrected and sent with the same token."""
    if response.status_code >= 500:
        return False
    location = _went_to(response)
    return {"location": location} if location else None


def _went_to(response) -> str | None:
    """Where a form view sent the browser after a write that went through (a redirect), if it did."""
    if response.has_header("HX-Redirect"):
        return response["HX-Redirect"]
    if 300 <= response.status_code < 400 and response.has_header("Location"):
        return response["Location"]
    return None


def _form_busy(request):
    message = _("This form is still being sent. Wait a moment, then reload the page.")
    return render(request, "core/form_busy.html", {"message": message}, status=409)
