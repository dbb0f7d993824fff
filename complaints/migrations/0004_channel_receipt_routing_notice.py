"""Complaint channel, receipt, unit, routing, result notice, evidence.

``source`` becomes ``channel`` (phone, email, portal, api, refused_acceptance: "online" is
now "portal"); ``received_at`` is the agent-recorded receipt time the clocks run from
(existing complaints: their creation time)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def forwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(channel="online").update(channel="portal")
    Complaint.objects.update(received_at=F("created_at"))


def backwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(channel__in=["portal", "api"]).update(channel="online")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_times_given_by_the_services"),
        ("core", "0006_audit_page_indexes"),
        ("customers", "0002_dashboard_indexes"),
        ("products", "0005_bilingual_names"),
        ("service", "0015_replacement_new_colour_en"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="complaint", old_name="source", new_name="channel"),
        migrations.AlterField(
            model_name="complaint",
            name="channel",
            field=models.CharField(
                choices=[
                    ("phone", "Phone"),
                    ("email", "Email"),
                    ("portal", "Customer portal"),
                    ("api", "API"),
                    ("refused_acceptance", "Refused acceptance"),
                ],
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="received_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the complaint reached us (the clocks run from it); never in the future.",
                verbose_name="received",
            ),
        ),
        migrations.CreateModel(
            name="ComplaintDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
            ],
            options={
                "verbose_name": "complaint evidence",
                "verbose_name_plural": "complaint evidence",
            },
        ),
        migrations.AddField(
            model_name="complaint",
            name="callback_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="agreed callback"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="classified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="classified"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="follow_up",
            field=models.TextField(blank=True, max_length=5000, verbose_name="follow-up"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="major",
            field=models.BooleanField(default=False, verbose_name="major complaint"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="measures",
            field=models.TextField(blank=True, max_length=5000, verbose_name="measures taken"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="result",
            field=models.TextField(blank=True, max_length=5000, verbose_name="result"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="service_aspect",
            field=models.CharField(
                blank=True,
                choices=[
                    ("attitude", "Service attitude"),
                    ("efficiency", "Service efficiency"),
                    ("result", "Service result"),
                ],
                max_length=20,
                verbose_name="service aspect",
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="complaints",
                to="products.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("product_quality", "Product quality"),
                    ("service", "After-sales service"),
                    ("information", "Information mismatch"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="recorded"),
        ),
        migrations.AlterField(
            model_name="complaintevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("open", "Complaint received"),
                    ("acknowledge", "Acknowledge"),
                    ("classify", "Classify and name the owner"),
                    ("investigate", "Start the investigation"),
                    ("wait_customer", "Wait for customer"),
                    ("resume", "Resume"),
                    ("resolve", "Resolve"),
                    ("close", "Close"),
                    ("reopen", "Reopen"),
                    ("progress", "Progress message sent"),
                    ("callback", "Callback time agreed"),
                    ("evidence", "Evidence attached"),
                    ("customer_notified", "Customer notified"),
                    ("sla_extended", "Deadline extended"),
                    ("sla_at_risk", "Deadline at risk"),
                    ("sla_breached", "Deadline missed"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["customer", "id"], name="complaint_customer"),
        ),
        migrations.AddField(
            model_name="complaintdocument",
            name="complaint",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="documents", to="complaints.complaint"
            ),
        ),
        migrations.AddField(
            model_name="complaintdocument",
            name="document",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.document"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
