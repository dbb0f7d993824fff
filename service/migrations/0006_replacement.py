"""The replacement moves from the retired ``warranty`` app to the work order, keeping its table.

A database migrated before the move already holds ``warranty_replacement`` (and its rows): the
model only enters this app's state. A fresh database gets the table here. Either way the table,
its columns, constraints and index names are the same. The content type ``warranty.replacement``
becomes ``service.replacement``, so granted model permissions carry over; audit rows keep the
label they were written with.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "warranty_replacement"


def create_table_unless_present(apps, schema_editor):
    if TABLE not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(apps.get_model("service", "Replacement"))


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    old = content_type.objects.using(db).filter(app_label="warranty", model="replacement")
    if not content_type.objects.using(db).filter(app_label="service", model="replacement").exists():
        old.update(app_label="service")


class Migration(migrations.Migration):

    dependencies = [
        ('products', '0003_terms_updated_at'),
        ('service', '0005_running_clock_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Replacement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('ground', models.CharField(choices=[('quality_defect', 'The product has a quality defect'), ('repair_caused_loss', 'A repair caused a loss of function'), ('fault_persists', 'The fault persists after repair'), ('special', "Special case (manager's approval)")], max_length=30, verbose_name='ground')),
                        ('new_serial', models.CharField(blank=True, max_length=60, verbose_name='new serial number')),
                        ('new_colour', models.CharField(blank=True, max_length=30, verbose_name='new colour')),
                        ('is_return', models.BooleanField(default=False, verbose_name='return (refund) instead of a new unit')),
                        ('prior_repairs', models.PositiveIntegerField(verbose_name='repairs in warranty before')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('new_model', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='products.productmodel')),
                        ('new_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='products.unit')),
                        ('old_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='products.unit')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='replacements', to='service.workorder')),
                    ],
                    options={
                        'verbose_name': 'replacement',
                        'verbose_name_plural': 'replacements',
                        'db_table': 'warranty_replacement',
                    },
                ),
            ],
        ),
        # after the state holds the model, so that the function can build it from there
        migrations.RunPython(create_table_unless_present, migrations.RunPython.noop),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
