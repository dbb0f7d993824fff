"""The audit row's actor is protected: a user named by the log cannot be deleted (SET_NULL would
have rewritten append-only rows on SQLite and made PostgreSQL's trigger refuse the delete with
an error). State only: no SQL on either database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_times_given_by_the_services'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditlog',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
        ),
    ]
