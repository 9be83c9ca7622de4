from django.db import migrations

from dangan.access.choices import DEFAULT_PURPOSES


def add_purposes(apps, schema_editor):
    Purpose = apps.get_model("access", "Purpose")
    for order, name in enumerate(DEFAULT_PURPOSES):
        Purpose.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(add_purposes, migrations.RunPython.noop)]
