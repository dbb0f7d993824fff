"""Base settings, driven by environment variables.

``DATABASE_URL`` chooses the database: SQLite (WAL mode) in ``var/`` by default,
PostgreSQL in production (``postgres://user:pass@host:5432/name``).
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our static files (no CDN, passes the CSP)
    "django_tasks",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "core",
    "accounts",
    "notifications",
    "customers",
    "products",
    "sla",
    "dispatch",
    "service",
    "complaints",
    "feedback",
    "improvement",
    "portal",
    "demo",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (the CSRF check reads the form in its process_view).
    "core.limits.RequestSizeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorGuardMiddleware",
    "core.security.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ErrorShapeMiddleware",
    "core.middleware.DenialLogMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context.navigation",
                "notifications.context.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}
    # Server-side parameters and prepared statements: a statement run twice on a connection is
    # prepared, so PostgreSQL stops parsing and planning it on every request (intake: 4.6 -> 2.4
    # ms of PostgreSQL CPU per request, docs/benchmarks.md). DB_PREPARED_STATEMENTS=0 turns it
    # off, e.g. behind a connection pooler in transaction mode that cannot keep them.
    if os.environ.get("DB_PREPARED_STATEMENTS", "1") == "1":
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each gunicorn sync worker is one thread and keeps its connection (DB_CONN_MAX_AGE, as on
    # PostgreSQL), and with it SQLite's page cache of the large indexes intake updates: +13–23 %
    # intake throughput at 1,000,000 orders against a connection per request (docs/benchmarks.md).
    # core.backends.sqlite3: a writer that finds the write lock taken retries within 50–250 µs
    # instead of SQLite's 1, 2, 5, 10… ms sleeps (docs/benchmarks.md). DB_SQLITE_BUSY_RETRY=0 keeps
    # Django's stock backend and SQLite's own busy handler (for an A/B).
    if os.environ.get("DB_SQLITE_BUSY_RETRY", "1") == "1":
        DATABASES["default"]["ENGINE"] = "core.backends.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# PostgreSQL: independent reads of one page (an order's children) go in one pipeline, one round
# trip (core.lean.fetch_many). DB_PIPELINES=0 sends them one by one.
DB_PIPELINES = os.environ.get("DB_PIPELINES", "1") == "1"

# Read replica (docs/scaling.md): ``DATABASE_REPLICA_URL`` adds a ``replica`` alias; config/routers.py
# sends dashboard and report reads there. Tests mirror it onto ``default``.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"].endswith("postgresql") and os.environ.get("DB_PREPARED_STATEMENTS", "1") == "1":
        DATABASES["replica"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("AFTERSALES_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("AFTERSALES_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files are never served directly: see core.views.download (permission-checked).

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request size limits (docs/security.md, "Uploads"): bigger bodies are refused with a 413, the
# API's error shape under /api/ and a translated page elsewhere (core/limits.py).
# Form fields and JSON bodies: at most this much (Django's own check).
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
# A whole request body, refused by its Content-Length before it is read and cut at the cap when
# parsed: REQUEST_MAX_BYTES for every route, more for the routes (URL names) that take files.
# Each file is also held to the "upload.max_bytes" policy (core/uploads.py, 5 MB by default).
REQUEST_MAX_BYTES = int(os.environ.get("AFTERSALES_REQUEST_MAX_BYTES", str(DATA_UPLOAD_MAX_MEMORY_SIZE)))
UPLOAD_REQUEST_MAX_BYTES = int(os.environ.get("AFTERSALES_UPLOAD_REQUEST_MAX_BYTES", str(32 * 1024 * 1024)))
REQUEST_MAX_BYTES_BY_URL = {
    name: UPLOAD_REQUEST_MAX_BYTES
    for name in ("service:new", "portal:new_request", "portal:register_unit", "api:register_unit")
}
FILE_UPLOAD_HANDLERS = [
    "core.limits.CappedUploadHandler",  # first: stops the upload at the route's cap
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Images: refused from their header above this many pixels, before any decoding.
UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("AFTERSALES_UPLOAD_MAX_IMAGE_PIXELS", str(40_000_000)))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
# Extra response headers set by core.security.SecurityHeadersMiddleware.
SECURITY_EXTRA_HEADERS = {
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Content-Security-Policy (django-csp): no inline script or style anywhere; see docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Login throttling and lockout (django-axes): 5 failures for one username from one address lock
# that pair for 15 minutes. The axes backend comes first; see accounts/backends.py.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout lasts 15 minutes, not longer
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_VERBOSE = False
# Number of reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("AFTERSALES_TRUSTED_PROXY_COUNT", "0"))

# Idempotency (core/idempotency.py): a key reserved by a request that never finished (its worker
# was killed) answers 409 idempotency_in_progress for this many seconds, then a retry takes it
# over. A little above the longest a gunicorn worker may run a request (``--timeout`` 60 s in
# ``make run``, 120 s at most in our deployments). The one value: code, docs and tests read it.
IDEMPOTENCY_LOCK_TIMEOUT = 150

# Two-factor (django-otp TOTP), optional for staff: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("AFTERSALES_OTP_ISSUER", "After-sales service")

# Rate limits on public endpoints (core.security.RateLimitMiddleware), per URL name:
# (HTTP methods, "count/window", key) with key "ip" or "user" (the user id, or the address
# when anonymous), each request counted; or "failed-logins": only failed logins from the
# address count (a call centre behind one address logs in at shift start), and the address is
# refused once it has used them up. Counters live in the "ratelimit" cache (Redis when
# REDIS_URL is set). The per-account lockout is django-axes' (above).
RATE_LIMITS_ENABLED = env_bool("AFTERSALES_RATE_LIMITS", True)
RATE_LIMITS = {
    "login": (("POST",), "30/10m", "failed-logins"),
    "login_verify": (("POST",), "30/10m", "failed-logins"),
    "portal:signup": (("POST",), "10/h", "ip"),
    "portal:new_request": (("POST",), "30/h", "user"),
    "portal:register_unit": (("POST",), "60/h", "user"),
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "ratelimit")}
    ),
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "service@example.com")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background jobs: Django's tasks API on huey (see core/taskqueue.py).
# HUEY_STORAGE: "sqlite" (embedded default, var/huey.sqlite3), "redis" (REDIS_URL), "immediate".
HUEY_STORAGE = os.environ.get("HUEY_STORAGE", "sqlite")
if HUEY_STORAGE == "redis":
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "aftersales",
        "url": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "immediate": False,
        "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "aftersales",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_STORAGE == "immediate",
        "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
    }
TASKS = {"default": {"BACKEND": "core.taskqueue.HueyBackend"}}

# Notifications (notifications/channels.py, docs/notifications.md): per-user channels "inapp",
# "email", "sms"; group bots "wecom", "dingtalk", "feishu" (used only when their webhook URL is set).
NOTIFY_CHANNELS = [c for c in os.environ.get("NOTIFY_CHANNELS", "inapp,email,sms").split(",") if c]
# The channels besides in-app of a person who has not chosen (notifications.preferences).
NOTIFY_DEFAULT_CHANNELS = {"customer": ["email", "sms"], "staff": ["email"]}
# The SMS provider (notifications/sms.py): the default writes the message to the log only.
NOTIFY_SMS_PROVIDER = os.environ.get("NOTIFY_SMS_PROVIDER", "notifications.sms.LogProvider")
NOTIFY_WEBHOOKS = {
    name: {
        "url": os.environ.get(f"NOTIFY_{name.upper()}_URL", ""),
        "secret": os.environ.get(f"NOTIFY_{name.upper()}_SECRET", ""),
    }
    for name in ("wecom", "dingtalk", "feishu")
}
NOTIFY_WEBHOOK_TIMEOUT = float(os.environ.get("NOTIFY_WEBHOOK_TIMEOUT", "5"))
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "")  # e.g. https://service.example.com, for links in bots
# Where a recipient reads an order, by who they are: URL names of the apps above notifications.
NOTIFY_ORDER_LINKS = {
    "customer": "portal:request_detail",
    "engineer": "service:engineer_order",
    "staff": "service:detail",
}
