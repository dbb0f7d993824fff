"""Test settings: the same as base, with a fast password hasher and a throwaway media root."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="aftersales-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Jobs run in-process through the real huey + django-tasks code path (immediate mode).
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# Rate limits count per address across the whole run (the test client is always 127.0.0.1), so
# they are off here; the tests of the limiter switch them on with a clean cache.
RATE_LIMITS_ENABLED = False
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-tests"},
}

# A subscriber of a domain event that fails makes its test fail (core/events.py logs it in production).
EVENTS_RAISE = True

# SQLite's test database lives in memory, one per process (as Django does by default); said
# explicitly because pytest-django gives each pytest-xdist worker its own test database by
# suffixing the name, and only skips that for ":memory:" on an engine it recognises by its
# path (ours is core.backends.sqlite3).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {**DATABASES["default"].get("TEST", {}), "NAME": ":memory:"}  # noqa: F405
