from django.db import migrations


def install(apps, schema_editor):
    from dangan.catalogue.defaults import install_defaults

    install_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        # Going back leaves the code tables in place: records may already point at them.
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
