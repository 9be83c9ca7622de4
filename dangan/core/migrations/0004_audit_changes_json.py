from django.db import migrations

import dangan.core.models


def column_type(kind):
    # Only PostgreSQL's column changes (jsonb → json); elsewhere JSON was text already, and SQLite would copy
    # the whole table to "alter" a column whose type stays the same.
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE core_auditentry ALTER COLUMN changes TYPE {kind} USING changes::{kind}"
        )
        # Changing the type forgets the column's compression (migration 0003's lz4): set it again.
        if _has_lz4(schema_editor.connection):
            schema_editor.execute("ALTER TABLE core_auditentry ALTER COLUMN changes SET COMPRESSION lz4")

    return alter


def _has_lz4(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        return cursor.fetchone() is not None


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_changes_lz4")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="changes",
                    field=dangan.core.models.JSONTextField(blank=True, default=dict, verbose_name="变更内容"),
                ),
            ],
            database_operations=[migrations.RunPython(column_type("json"), column_type("jsonb"))],
        ),
    ]
