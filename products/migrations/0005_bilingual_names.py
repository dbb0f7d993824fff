"""Master-data names in Chinese and English (core.i18n): the second field, and the split of the stored values."""

from django.db import migrations, models

from core.i18n import split_stored

# The component classes seeded in English by 0002, with their Chinese names (SPEC's warranty terms).
SEEDED = {
    "Main unit and core components": ("主机及核心部件", "Main unit and core components"),
    "Accessories": ("配件", "Accessories"),
    "Software": ("软件", "Software"),
}


def split(apps, schema_editor):
    """Split "摄像头 Cameras" and "指纹智能锁 X1 / Fingerprint smart lock X1" into the two names;
    the seeded English-only component classes get their Chinese names; units' colours and
    sales channels are split the same way."""
    split_stored(apps.get_model("products", "ProductLine"))
    split_stored(apps.get_model("products", "ProductModel"))
    split_stored(apps.get_model("products", "ComponentClass"), known=SEEDED)
    Unit = apps.get_model("products", "Unit")
    split_stored(Unit, field="colour", en_field="colour_en")
    split_stored(Unit, field="channel", en_field="channel_en")


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0004_warranty_conventions_three_guarantees"),
    ]

    operations = [
        migrations.AddField(
            model_name="componentclass",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="Empty: the Chinese name is shown.", max_length=120, verbose_name="name (English)"
            ),
        ),
        migrations.AddField(
            model_name="productline",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="Empty: the Chinese name is shown.", max_length=120, verbose_name="name (English)"
            ),
        ),
        migrations.AddField(
            model_name="productmodel",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="Empty: the Chinese name is shown.", max_length=120, verbose_name="name (English)"
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="channel_en",
            field=models.CharField(
                blank=True,
                help_text="Empty: the Chinese name is shown.",
                max_length=80,
                verbose_name="dealer / channel (English)",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="colour_en",
            field=models.CharField(
                blank=True,
                help_text="Empty: the Chinese name is shown.",
                max_length=30,
                verbose_name="colour (English)",
            ),
        ),
        migrations.AlterField(
            model_name="componentclass",
            name="name",
            field=models.CharField(max_length=120, verbose_name="name (Chinese)"),
        ),
        migrations.AlterField(
            model_name="productline",
            name="name",
            field=models.CharField(max_length=120, verbose_name="name (Chinese)"),
        ),
        migrations.AlterField(
            model_name="productmodel",
            name="name",
            field=models.CharField(max_length=120, verbose_name="name (Chinese)"),
        ),
        migrations.AlterField(
            model_name="unit",
            name="colour",
            field=models.CharField(blank=True, max_length=30, verbose_name="colour (Chinese)"),
        ),
        migrations.RunPython(split, migrations.RunPython.noop),
    ]
