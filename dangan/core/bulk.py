"""Rows written below the ORM, for the bulk paths where ``bulk_create``'s per-value preparation dominates."""

from django.db import connections, router, transaction

_SEQUENCES: dict[tuple[str, str], str] = {}
_FOREIGN_KEYS: dict[tuple[str, str], str] = {}


def insert_rows(model, fields, rows) -> list[int]:
    """Insert ``rows`` (lists of values already in database form, one per field of ``fields``, without the
    primary key) into ``model``'s table; the ids the rows got, in order.

    COPY on PostgreSQL, with ids taken from the table's sequence first (COPY returns nothing, and looking the
    rows up again afterwards costs more than the insert); one prepared ``executemany`` elsewhere, whose rows
    take consecutive ids ending at the connection's last inserted rowid (SQLite gives each new row one more
    than the largest rowid, and nothing else writes while this transaction holds the database's write lock).
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk.column
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sequence = _sequence(cursor, model)
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
            # The rows' references are checked as they go in rather than all at the commit (Django makes
            # foreign keys deferred): the same work, but done while the importer's other processes work too,
            # instead of alone at the end (12 s of a million-row import's commit).
            keys = _deferred_foreign_keys(cursor, model)
            if keys:
                cursor.execute(f"SET CONSTRAINTS {keys} IMMEDIATE")
            # COPY streams the rows; executemany would have psycopg build and send an INSERT for each.
            with connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY {table} ({quote(pk)}, {columns}) FROM STDIN"
            ) as copy:
                for id_, row in zip(ids, rows, strict=True):
                    copy.write_row((id_, *row))
            if keys:
                cursor.execute(f"SET CONSTRAINTS {keys} DEFERRED")
            return ids
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"insert_rows: no bulk insert for {connection.vendor}")
        placeholders = ", ".join(["%s"] * len(fields))
        with transaction.atomic(using=connection.alias):  # one write lock for every row, even in autocommit
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
        return list(range(last - len(rows) + 1, last + 1))


def _sequence(cursor, model) -> str:
    """The sequence behind ``model``'s id column, found once: resolved inside the statement it was looked up
    again for every id (5 ms for a thousand instead of 0.5)."""
    key = (cursor.db.alias, model._meta.db_table)
    if key not in _SEQUENCES:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        _SEQUENCES[key] = cursor.fetchone()[0]
    return _SEQUENCES[key]


def _deferred_foreign_keys(cursor, model) -> str:
    """The names of the deferrable foreign-key constraints of ``model``'s table, as SET CONSTRAINTS takes
    them; found once."""
    key = (cursor.db.alias, model._meta.db_table)
    if key not in _FOREIGN_KEYS:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable ORDER BY conname",
            [cursor.db.ops.quote_name(model._meta.db_table)],
        )
        _FOREIGN_KEYS[key] = ", ".join(cursor.db.ops.quote_name(name) for (name,) in cursor.fetchall())
    return _FOREIGN_KEYS[key]
