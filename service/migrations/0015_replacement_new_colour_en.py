"""The new colour of a replacement in English beside the Chinese one (core.i18n)."""

from django.db import migrations, models

from core.i18n import split_stored


def split(apps, schema_editor):
    split_stored(apps.get_model("service", "Replacement"), field="new_colour", en_field="new_colour_en")


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0014_customer_notified_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="replacement",
            name="new_colour_en",
            field=models.CharField(blank=True, max_length=30, verbose_name="new colour (English)"),
        ),
        migrations.RunPython(split, migrations.RunPython.noop),
    ]
