"""Fewer index entries for every intake to write.

Drops the single-column foreign-key indexes that a composite index or unique constraint
already starts with, and indexes two mostly-NULL user references only where they are set.
The old indexes are dropped by name (Django's names, the same on SQLite and PostgreSQL):
altering the fields the usual way would rebuild the tables on SQLite.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# index -> (table, column, what serves the column's lookups from now on)
DROPPED = {
    "service_workorder_assignee_id_3729bc88": ("service_workorder", "assignee_id", "wo_assignee"),
    "service_workorder_customer_id_8d93913a": ("service_workorder", "customer_id", "wo_customer"),
    "service_workorder_department_id_835b5bba": ("service_workorder", "department_id", "wo_team_due"),
    # Never looked up by: deleting a product model (PROTECT) scans the orders instead.
    "service_workorder_product_model_id_ae02553b": ("service_workorder", "product_model_id", "-"),
    "service_workorderevent_order_id_c365fea8": ("service_workorderevent", "order_id", "(order, id)"),
    "service_workorderevent_actor_id_89ae19a1": ("service_workorderevent", "actor_id", "event_actor"),
    "service_workorderclock_order_id_4bbee0d6": ("service_workorderclock", "order_id", "uniq_order_clock"),
    "service_workorderclock_extended_by_id_78b207a8": ("service_workorderclock", "extended_by_id", "clock_extended_by"),
}

USER = settings.AUTH_USER_MODEL
PROTECT, SET_NULL, CASCADE = (django.db.models.deletion.PROTECT, django.db.models.deletion.SET_NULL,
                              django.db.models.deletion.CASCADE)
FIELDS = [
    ("workorder", "assignee", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=PROTECT,
                                                related_name="assigned_orders", to=USER, verbose_name="engineer")),
    ("workorder", "customer", models.ForeignKey(db_index=False, on_delete=PROTECT, related_name="orders",
                                                to="customers.customer", verbose_name="customer")),
    ("workorder", "department", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=SET_NULL,
                                                  to="accounts.department", verbose_name="team")),
    ("workorder", "product_model", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=PROTECT,
                                                     to="products.productmodel", verbose_name="model")),
    ("workorderclock", "extended_by", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=SET_NULL,
                                                        related_name="+", to=USER)),
    ("workorderclock", "order", models.ForeignKey(db_index=False, on_delete=CASCADE, related_name="clocks",
                                                  to="service.workorder")),
    ("workorderevent", "actor", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=SET_NULL,
                                                  related_name="+", to=USER)),
    ("workorderevent", "order", models.ForeignKey(db_index=False, on_delete=CASCADE, related_name="events",
                                                  to="service.workorder")),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_department_scope_orders"),
        ("customers", "0001_initial"),
        ("products", "0001_initial"),
        ("service", "0003_clock_kpi_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name=m, name=n, field=f) for m, n, f in FIELDS],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, (table, column, _) in DROPPED.items()
            ],
        ),
        migrations.AddIndex(
            model_name="workorderclock",
            index=models.Index(
                condition=models.Q(("extended_by__isnull", False)), fields=["extended_by"], name="clock_extended_by"
            ),
        ),
        migrations.AddIndex(
            model_name="workorderevent",
            index=models.Index(condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"),
        ),
    ]
