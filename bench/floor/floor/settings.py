"""Settings of the floor project: no middleware, no templates, the database configured as ours."""

import os

import dj_database_url

SECRET_KEY = "bench-floor-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["floor"]
MIDDLEWARE = []
ROOT_URLCONF = "floor.urls"
WSGI_APPLICATION = "floor.wsgi.application"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATE = os.environ.get("FLOOR_STATE_DIR", "/tmp/aftersales-bench/floor")
os.makedirs(STATE, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="FLOOR_DATABASE_URL",
        default=f"sqlite:///{STATE}/floor.sqlite3",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql") and os.environ.get("DB_PREPARED_STATEMENTS", "1") == "1":
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # as config/settings/base.py
    # (Django's own backend: the floor's INSERT autocommits, and core.backends.sqlite3 changes
    # only how a transaction's BEGIN IMMEDIATE waits, so it would change nothing here.)
    # The connection is kept (DB_CONN_MAX_AGE) on SQLite too, as ours keeps it.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
