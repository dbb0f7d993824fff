"""Production settings (``config.settings.base``) for the crash test's server, with one knob.

``IDEMPOTENCY_LOCK_TIMEOUT`` (core/idempotency.py): how long a key reserved by a request that
never finished (its worker was killed) answers ``idempotency_in_progress`` before a retry may
take it over. Production keeps base's value; the crash test sets a few seconds through
``RELIABILITY_IDEMPOTENCY_LOCK_TIMEOUT`` so that its retries run within the test.
"""

import os

from config.settings.base import *  # noqa: F403

IDEMPOTENCY_LOCK_TIMEOUT = int(os.environ.get("RELIABILITY_IDEMPOTENCY_LOCK_TIMEOUT", IDEMPOTENCY_LOCK_TIMEOUT))  # noqa: F405
