"""The WSGI application, warmed before it serves (config.warmup)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

from config.warmup import warm  # noqa: E402  (needs the apps loaded above)

warm()
