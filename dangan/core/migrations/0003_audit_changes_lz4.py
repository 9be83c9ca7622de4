from django.db import migrations


def compression(method):
    def set_compression(apps, schema_editor):
        # A bulk filing's audit entry holds a thousand items' values (about 300 kB of JSON). PostgreSQL's
        # default pglz compresses it at a few tens of MB/s: a 1,000,000-row import spent seconds of server
        # time on it. lz4 (PostgreSQL 14+, when built with it) is several times faster at a similar size.
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND %s = ANY(enumvals)",
                [method],
            )
            if cursor.fetchone() is None:
                return
        schema_editor.execute(f"ALTER TABLE core_auditentry ALTER COLUMN changes SET COMPRESSION {method}")

    return set_compression


class Migration(migrations.Migration):
    dependencies = [("core", "0002_jobs")]

    operations = [migrations.RunPython(compression("lz4"), compression("pglz"))]
