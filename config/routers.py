"""Read-replica routing: reports and dashboards read from a ``replica`` alias when one is configured.

``DATABASE_REPLICA_URL`` adds the ``replica`` alias (config/settings/base.py). Without it every
query goes to ``default`` and this router changes nothing.

What goes to the replica:
- every read of a model of the ``analytics`` app (the read side: nothing writes there but jobs);
- every read made inside ``core.replica.replica_reads()`` — the analytics selectors wrap their aggregates
  over work orders and clocks in it, so a dashboard never loads the primary.

Everything else, and every write, goes to ``default``. A request that has just written must not
read its own write from the replica (replication lag): nothing inside ``replica_reads()`` writes,
and the services never use it. Only ``default`` is migrated (a replica is a physical copy).
"""

from core.replica import REPLICA, reading_from_replica, replica_configured, replica_reads

__all__ = ["READ_SIDE_APPS", "REPLICA", "ReplicaRouter", "replica_reads"]

READ_SIDE_APPS = frozenset({"analytics"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if reading_from_replica() or model._meta.app_label in READ_SIDE_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
