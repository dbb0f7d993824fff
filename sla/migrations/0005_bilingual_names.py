"""Master-data names in Chinese and English (core.i18n): the second field, and the split of the stored values."""

from django.db import migrations, models

from core.i18n import split_stored

# The calendar and policies seeded in English by 0002, with their Chinese names.
SEEDED_CALENDARS = {"China (mainland)": ("中国大陆", "China (mainland)")}
SEEDED_POLICIES = {
    "Industrial equipment": ("工业设备", "Industrial equipment"),
    "Urgent requests": ("加急服务", "Urgent requests"),
    "Standard service": ("标准服务", "Standard service"),
    "Complaints": ("投诉处理", "Complaints"),
}


def split(apps, schema_editor):
    split_stored(apps.get_model("sla", "BusinessCalendar"), known=SEEDED_CALENDARS)
    split_stored(apps.get_model("sla", "SlaPolicy"), known=SEEDED_POLICIES)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0004_target_amount_bound"),
    ]

    operations = [
        migrations.AddField(
            model_name="businesscalendar",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="Empty: the Chinese name is shown.", max_length=120, verbose_name="name (English)"
            ),
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="Empty: the Chinese name is shown.", max_length=120, verbose_name="name (English)"
            ),
        ),
        migrations.AlterField(
            model_name="businesscalendar",
            name="name",
            field=models.CharField(max_length=120, verbose_name="name (Chinese)"),
        ),
        migrations.AlterField(
            model_name="slapolicy",
            name="name",
            field=models.CharField(max_length=120, verbose_name="name (Chinese)"),
        ),
        migrations.RunPython(split, migrations.RunPython.noop),
    ]
