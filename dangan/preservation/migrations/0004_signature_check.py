from django.db import migrations


def load_defaults(apps, schema_editor):
    # Adds the check items and formats that are new since 0002; rows the bureau edited stay as they are.
    from dangan.preservation.defaults import load

    load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("preservation", "0003_identified")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
