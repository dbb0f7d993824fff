"""Work every worker process would otherwise do on its first request, done when it starts.

Django imports the URL configuration, and with it every view module and the whole API (its
schemas are built on import), on the first request a process serves, and loads a language's
translation catalogues the first time that language is activated. Under gunicorn that is
about 0.3 s of CPU on the first request of each worker, after every start or restart
(docs/benchmarks.md). ``warm`` does it at start-up instead. It touches no database, so it is
also safe before a fork (``gunicorn --preload``).
"""

from django.conf import settings
from django.urls import get_resolver
from django.utils.translation import trans_real


def warm() -> None:
    resolver = get_resolver()
    _ = resolver.url_patterns  # imports every urls module, view and API schema
    _ = resolver.reverse_dict  # the lookups reverse() and {% url %} use
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)  # parses and caches the catalogues of every app
