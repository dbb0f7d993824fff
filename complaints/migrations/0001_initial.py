import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The stub's free-string statuses: "open" is a complaint just received, "closed" is closed.
STATUS_MAP = {"open": "new"}


def statuses_forward(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    for old, new in STATUS_MAP.items():
        Complaint.objects.filter(status=old).update(status=new)


def statuses_backward(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    for old, new in STATUS_MAP.items():
        Complaint.objects.filter(status=new).update(status=old)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_department_scope_orders'),
        ('customers', '0001_initial'),
        ('service', '0008_complaint_moved_to_complaints'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Take over service's complaint table as it was (service 0001), then rename and extend it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Complaint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('refused_acceptance', 'Refused acceptance'), ('phone', 'Phone'), ('email', 'Email'), ('online', 'Online')], max_length=20, verbose_name='source')),
                        ('description', models.TextField(max_length=5000, verbose_name='description')),
                        ('status', models.CharField(default='open', max_length=20, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='received')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='customers.customer')),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='service.workorder')),
                    ],
                    options={
                        'verbose_name': 'complaint',
                        'verbose_name_plural': 'complaints',
                        'db_table': 'service_complaint',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='complaint', table=None),
        migrations.AlterField(
            model_name='complaint',
            name='status',
            field=models.CharField(choices=[('new', 'Received'), ('acknowledged', 'Acknowledged'), ('classified', 'Classified, owner named'), ('investigating', 'Investigating'), ('waiting_customer', 'Waiting for customer'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='new', max_length=20, verbose_name='status'),
        ),
        migrations.RunPython(statuses_forward, statuses_backward),
        migrations.AddField(model_name='complaint', name='version', field=models.PositiveIntegerField(default=1)),
        migrations.AddField(
            model_name='complaint',
            name='category',
            field=models.CharField(blank=True, choices=[('product_quality', 'Product quality'), ('service', 'After-sales service (attitude, efficiency, result)'), ('information', 'Information mismatch'), ('other', 'Other')], max_length=20, verbose_name='category'),
        ),
        migrations.AddField(model_name='complaint', name='paused_from', field=models.CharField(blank=True, max_length=20)),
        migrations.AddField(model_name='complaint', name='due_at', field=models.DateTimeField(blank=True, null=True, verbose_name='next deadline')),
        migrations.AddField(model_name='complaint', name='updated_at', field=models.DateTimeField(auto_now=True, verbose_name='updated')),
        migrations.AddField(model_name='complaint', name='resolved_at', field=models.DateTimeField(blank=True, null=True, verbose_name='resolved')),
        migrations.AddField(model_name='complaint', name='closed_at', field=models.DateTimeField(blank=True, null=True, verbose_name='closed')),
        migrations.AlterField(
            model_name='complaint',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='customers.customer', verbose_name='customer'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='order',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='service.workorder', verbose_name='work order'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='accounts.department', verbose_name='department'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='owner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='owned_complaints', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
        ),
        migrations.CreateModel(
            name='ComplaintEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                ('action', models.CharField(choices=[('open', 'Complaint received'), ('acknowledge', 'Acknowledge'), ('classify', 'Classify and name the owner'), ('investigate', 'Start the investigation'), ('wait_customer', 'Wait for customer'), ('resume', 'Resume'), ('resolve', 'Resolve'), ('close', 'Close'), ('reopen', 'Reopen'), ('sla_extended', 'Deadline extended'), ('sla_at_risk', 'Deadline at risk'), ('sla_breached', 'Deadline missed')], max_length=30, verbose_name='action')),
                ('from_status', models.CharField(blank=True, max_length=20, verbose_name='from')),
                ('to_status', models.CharField(blank=True, max_length=20, verbose_name='to')),
                ('note', models.TextField(blank=True, max_length=5000, verbose_name='note')),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('complaint', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='complaints.complaint')),
            ],
            options={
                'verbose_name': 'complaint event',
                'verbose_name_plural': 'complaint events',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['status', 'due_at', 'id'], name='complaint_status_due'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['owner', 'status'], name='complaint_owner'),
        ),
        migrations.AddIndex(
            model_name='complaintevent',
            index=models.Index(fields=['complaint', 'id'], name='complaint_event'),
        ),
    ]
