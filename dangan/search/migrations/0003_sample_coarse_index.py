from django.db import migrations


def create_coarse_index(apps, schema_editor):
    # The quarter of the sample that estimates the largest matches (postgres.COARSE_CLAUSE).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_sample_coarse ON search_searchsample USING gin (tokens) "
            "WHERE ((item_id * 2654435761) & 4294967295) >> 26 = 0"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_searchsample")]

    operations = [migrations.RunPython(create_coarse_index, migrations.RunPython.noop)]
