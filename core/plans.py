"""Query plans made for the values: ``custom_plans(model)`` around a block of report statements.

With the prepared statements of ``config.settings`` (server-side binding, ``prepare_threshold``),
PostgreSQL switches a statement run a few times on one connection to a generic plan made for any
value. For the reports' statements over periods and filters that plan can be far slower: twice
as slow for the dashboard, and a survey KPI statement went from about 1 s to over 20 s on its
eighth run at 1,000,000 orders (docs/benchmarks.md). One ``SET LOCAL`` in the block's
transaction; nothing changes elsewhere, and nothing on SQLite.
"""

from contextlib import contextmanager

from django.db import connections, router, transaction


@contextmanager
def custom_plans(model):
    """Plan the block's statements (reads of ``model``'s database) for their values, in one transaction."""
    alias = router.db_for_read(model)
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
