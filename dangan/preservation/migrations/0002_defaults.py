from django.db import migrations


def load_defaults(apps, schema_editor):
    from dangan.preservation.defaults import load

    load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("preservation", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
