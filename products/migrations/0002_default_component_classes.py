from django.db import migrations

DEFAULTS = [
    ("main", "Main unit and core components", "main"),
    ("accessory", "Accessories", "accessory"),
    ("software", "Software", "software"),
]


def create(apps, schema_editor):
    ComponentClass = apps.get_model("products", "ComponentClass")
    for code, name, kind in DEFAULTS:
        ComponentClass.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
