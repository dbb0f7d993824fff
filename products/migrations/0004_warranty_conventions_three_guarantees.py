"""Warranty periods counted by the Civil Code by default; the Three Guarantees policy per line.

Terms that exist before this migration keep the way they were counted ("through the day
before the anniversary"): the column is added with that value for every existing row and
only then gets the Civil Code as the default of new terms (docs/warranty.md). Every existing
product line gets its Three Guarantees policy with the regulations' defaults, switched off
for industrial lines (sold under contract).
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def policies_for_existing_lines(apps, schema_editor):
    ProductLine = apps.get_model("products", "ProductLine")
    Policy = apps.get_model("products", "ThreeGuaranteesPolicy")
    for line in ProductLine.objects.all():
        Policy.objects.get_or_create(line=line, defaults={"enabled": not line.is_industrial})


class Migration(migrations.Migration):

    dependencies = [
        ('products', '0003_terms_updated_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='warrantyterm',
            name='convention',
            field=models.CharField(default='anniversary_eve', max_length=20),
        ),
        migrations.AddField(
            model_name='unit',
            name='received_date',
            field=models.DateField(blank=True, help_text='Starts the seven-day no-reason return.', null=True, verbose_name='date the buyer received it'),
        ),
        migrations.AddField(
            model_name='unit',
            name='sold_online',
            field=models.BooleanField(default=False, verbose_name='bought online'),
        ),
        migrations.AlterField(
            model_name='warrantyterm',
            name='convention',
            field=models.CharField(choices=[('civil_code', 'Civil Code arts. 201–204 (a last day on a rest day moves to the next working day)'), ('anniversary_eve', 'Through the day before the anniversary')], default='civil_code', help_text='How the period is counted (docs/warranty.md).', max_length=20, verbose_name='period convention'),
        ),
        migrations.AddField(
            model_name='warrantyterm',
            name='covered_causes',
            field=models.JSONField(blank=True, default=list, help_text="Codes of the causes this component's warranty covers; empty: the standard ones (defect, manual_error, transport_damage).", verbose_name='covered causes'),
        ),
        migrations.CreateModel(
            name='ThreeGuaranteesPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True, help_text='Off for lines sold under contract.', verbose_name='Three Guarantees apply')),
                ('return_days', models.PositiveSmallIntegerField(default=7, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='return, exchange or repair within (days)')),
                ('exchange_days', models.PositiveSmallIntegerField(default=15, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='exchange or repair within (days)')),
                ('period_months', models.PositiveSmallIntegerField(default=12, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='Three Guarantees period (months)')),
                ('repairs_before_exchange', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name='repairs of the same fault before an exchange is owed')),
                ('repair_days_limit', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='longest repair (days)')),
                ('parts_wait_days_limit', models.PositiveSmallIntegerField(default=90, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='longest wait for parts (days)')),
                ('online_return_days', models.PositiveSmallIntegerField(default=7, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='no-reason return of online purchases (days)')),
                ('online_exclusion', models.CharField(blank=True, choices=[('custom_made', "Made to the customer's order"), ('perishable', 'Fresh, live or perishable goods'), ('digital', 'Downloaded or unsealed audio-visual products, software and other digital goods'), ('periodicals', 'Delivered newspapers and periodicals'), ('confirmed', 'Unsuitable for return by its nature, as the buyer confirmed at purchase')], max_length=30, verbose_name='excluded from the no-reason return')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('line', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='three_guarantees', to='products.productline', verbose_name='product line')),
            ],
            options={
                'verbose_name': 'Three Guarantees policy',
                'verbose_name_plural': 'Three Guarantees policies',
            },
        ),
        migrations.RunPython(policies_for_existing_lines, migrations.RunPython.noop),
    ]
