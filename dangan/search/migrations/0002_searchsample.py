from django.db import migrations, models

import dangan.search.models


def create_gin_index(apps, schema_editor):
    # Only the PostgreSQL backend reads this table; elsewhere it stays empty and needs no index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_sample_tokens ON search_searchsample USING gin (tokens)"
        )


def fill_sample(apps, schema_editor):
    # An index built before the sample existed: copy its sampled rows, so estimates work at once.
    if schema_editor.connection.vendor == "postgresql":
        # The same rule as dangan.search.backends.postgres.in_sample.
        schema_editor.execute(
            "INSERT INTO search_searchsample SELECT * FROM search_searchdocument "
            "WHERE ((item_id * 2654435761) & 4294967295) >> 28 = 0"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="SearchSample",
            fields=[
                ("item_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("fonds_id", models.BigIntegerField()),
                ("category_id", models.BigIntegerField()),
                ("year", models.SmallIntegerField()),
                ("retention_id", models.BigIntegerField()),
                ("security_level", models.CharField(max_length=20)),
                ("control", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("has_files", models.BooleanField(default=False)),
                ("date_ordinal", models.IntegerField()),
                ("fingerprint", models.BigIntegerField()),
                ("title", models.TextField()),
                ("creator", models.TextField()),
                ("document_number", models.TextField()),
                ("body", models.TextField()),
                ("tokens", dangan.search.models.TsVectorField()),
            ],
            options={"abstract": False},
        ),
        migrations.RunPython(fill_sample, migrations.RunPython.noop),
        migrations.RunPython(create_gin_index, migrations.RunPython.noop),
    ]
