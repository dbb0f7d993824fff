"""Master-data names in Chinese and English (core.i18n): the second field, and the split of the stored values."""

from django.db import migrations, models

from core.i18n import split_stored


def split(apps, schema_editor):
    """ "客服中心 Customer service" → name 客服中心, name_en Customer service."""
    split_stored(apps.get_model("accounts", "Department"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_department_scope_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="Empty: the Chinese name is shown.", max_length=120, verbose_name="name (English)"
            ),
        ),
        migrations.AlterField(
            model_name="department",
            name="name",
            field=models.CharField(max_length=120, verbose_name="name (Chinese)"),
        ),
        migrations.RunPython(split, migrations.RunPython.noop),
    ]
