"""Rows written below the ORM, for the bulk paths where ``bulk_create``'s per-value preparation dominates."""

from django.db import connections, router


def insert_rows(model, fields, rows) -> None:
    """Insert ``rows`` (lists of values already in database form, one per field of ``fields``) into
    ``model``'s table: COPY on PostgreSQL, one prepared ``executemany`` elsewhere. Neither returns ids."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows; executemany would have psycopg build and send an INSERT for each.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
