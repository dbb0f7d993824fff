from django.db import migrations


class Migration(migrations.Migration):
    """The complaint moves to the ``complaints`` app: gone from this app's state only; its table
    is taken over (and renamed) by complaints 0001, keeping every row."""

    dependencies = [
        ("service", "0007_event_types"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Complaint")]),
    ]
