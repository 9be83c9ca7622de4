"""Rows written below the ORM, for the bulk paths where ``bulk_create``'s per-value preparation dominates."""

from django.db import connections, router, transaction

# (database alias, table) → (its id column's sequence, its deferrable foreign keys for SET CONSTRAINTS)
_POSTGRES_TABLES: dict[tuple[str, str], tuple[str, str]] = {}


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
            sequence, keys = _postgres_table(cursor, model)
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
            # The rows' references are checked as they go in rather than all at the commit (Django makes
            # foreign keys deferred): the same work, but done while the importer's other processes work too,
            # instead of alone at the end (12 s of a million-row import's commit).
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


def insert_instances(instances, fields, rows) -> None:
    """``insert_rows`` for unsaved model instances, one row each: they get their ids and count as stored."""
    if not instances:
        return
    model = type(instances[0])
    alias = router.db_for_write(model)
    for instance, pk in zip(instances, insert_rows(model, fields, rows), strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = alias


def _postgres_table(cursor, model) -> tuple[str, str]:
    """The sequence behind ``model``'s id column and the table's deferrable foreign keys, found once: the
    sequence resolved inside the statement was looked up again for every id (5 ms for a thousand, not 0.5)."""
    key = (cursor.db.alias, model._meta.db_table)
    if key not in _POSTGRES_TABLES:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable ORDER BY conname",
            [cursor.db.ops.quote_name(model._meta.db_table)],
        )
        keys = ", ".join(cursor.db.ops.quote_name(name) for (name,) in cursor.fetchall())
        _POSTGRES_TABLES[key] = (sequence, keys)
    return _POSTGRES_TABLES[key]
