"""Policies per case type (``case_type`` replaces the ``for_complaints`` flag) and pauses by
milestone (``pause_on`` lists waits, e.g. "customer", instead of work-order statuses)."""

from django.db import migrations, models

import sla.models

# The work order's wait states and their milestones (service's case type declares the same).
STATUS_TO_MILESTONE = {"awaiting_customer": "customer", "awaiting_parts": "parts"}
MILESTONE_TO_STATUS = {m: s for s, m in STATUS_TO_MILESTONE.items()}


def forwards(apps, schema_editor):
    Policy = apps.get_model("sla", "SlaPolicy")
    for policy in Policy.objects.all():
        policy.case_type = "complaint" if policy.for_complaints else "work_order"
        statuses = policy.pause_statuses if isinstance(policy.pause_statuses, list) else []
        policy.pause_on = [STATUS_TO_MILESTONE[s] for s in statuses if s in STATUS_TO_MILESTONE]
        policy.save(update_fields=["case_type", "pause_on"])


def backwards(apps, schema_editor):
    Policy = apps.get_model("sla", "SlaPolicy")
    for policy in Policy.objects.all():
        policy.for_complaints = policy.case_type == "complaint"
        milestones = policy.pause_on if isinstance(policy.pause_on, list) else []
        policy.pause_statuses = [MILESTONE_TO_STATUS[m] for m in milestones if m in MILESTONE_TO_STATUS]
        policy.save(update_fields=["for_complaints", "pause_statuses"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_china_calendar_and_default_policies")]

    operations = [
        migrations.AddField(
            model_name="slapolicy",
            name="case_type",
            field=models.CharField(
                choices=[("work_order", "Work order"), ("complaint", "Complaint")],
                default="work_order",
                max_length=20,
                verbose_name="case type",
            ),
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="pause_on",
            field=models.JSONField(
                blank=True,
                default=sla.models.default_pause_on,
                help_text="The clocks stop counting while the case waits for one of these.",
                verbose_name="waits that pause the clocks",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="slapolicy", name="for_complaints"),
        migrations.RemoveField(model_name="slapolicy", name="pause_statuses"),
    ]
