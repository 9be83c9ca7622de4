"""Rows written below the ORM, for the bulk paths where ``bulk_create``'s per-value preparation dominates."""

import logging
import operator
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from sqlite3 import Cursor

from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, router, transaction


@dataclass(frozen=True)
class _PostgresTable:
    sequence: str  # behind the id column
    deferrable: str  # its deferrable foreign keys, for SET CONSTRAINTS
    # (column, referenced table, referenced column) of each single-column foreign key
    references: tuple[tuple[str, str, str], ...]
    # Only foreign keys check its rows: no trigger of its own, no key of several columns.
    checked_by_keys_alone: bool


logger = logging.getLogger(__name__)

# (database alias, table) → what a bulk insert needs to know of the table
_POSTGRES_TABLES: dict[tuple[str, str], _PostgresTable] = {}


def field_values(*attnames: str) -> Callable:
    """``operator.attrgetter(*attnames)`` for model instances, read from the instance's dict.

    A foreign key's id attribute is a data descriptor (``ForeignKeyDeferredAttribute`` has a ``__set__``), so
    every read of ``item.fonds_id`` runs its Python ``__get__``: 0.26 µs against 0.1, and a bulk path reads
    each row's four keys several times (the 22 fields of an item: 1.3 µs by attribute, 0.5 from the dict).
    An instance missing one of the fields (a deferred field) is read by attribute, which loads it.
    """
    from_dict, by_attribute = operator.itemgetter(*attnames), operator.attrgetter(*attnames)

    def values(instance):
        try:
            return from_dict(instance.__dict__)
        except KeyError:
            return by_attribute(instance)
    return values


def insert_rows(model, fields, rows, *, typed: bool = False) -> list[int]:
    """Insert ``rows`` (lists of values already in database form, one per field of ``fields``, without the
    primary key) into ``model``'s table; the ids the rows got, in order.

    COPY on PostgreSQL, with ids taken from the table's sequence first (COPY returns nothing, and looking the
    rows up again afterwards costs more than the insert); INSERTs of many rows each elsewhere, whose rows
    take consecutive ids ending at the connection's last inserted rowid (SQLite gives each new row one more
    than the largest rowid, and nothing else writes while this transaction holds the database's write lock).

    ``typed`` says every value is of the Python type its column's adapter takes (a JSON column's a ``Jsonb``
    as the field prepares it, not JSON text): PostgreSQL then gets the rows in COPY's binary form, which
    psycopg writes in a third of the time of the text form (2 µs a row of an import's items).
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
            described = _postgres_table(cursor, model)
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [described.sequence, len(rows)]
            )
            ids = [row[0] for row in cursor.fetchall()]
            with transaction.atomic(using=connection.alias), _references_checked(
                cursor, described, [field.column for field in fields], rows
            ):
                types = binary_types(connection, [model._meta.pk, *fields]) if typed else None
                binary = " (FORMAT BINARY)" if types else ""
                # COPY streams the rows; executemany would have psycopg build and send an INSERT for each.
                with connection.wrap_database_errors, cursor.cursor.copy(
                    f"COPY {table} ({quote(pk)}, {columns}) FROM STDIN{binary}"
                ) as copy:
                    if types:
                        copy.set_types(types)
                    for id_, row in zip(ids, rows, strict=True):
                        copy.write_row((id_, *row))
            return ids
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"insert_rows: no bulk insert for {connection.vendor}")
        # Many rows a statement: each run of a statement costs a reset, its cursors, locks and allocations,
        # which an executemany of the one-row statement pays for every row (callgrind, a 30,000-row import's
        # importer: 34k instructions a row fewer, all in SQLite and the C library: running statements,
        # comparing index records, mutexes, allocation). The statement goes to sqlite3 itself in its own "?"
        # style: Django's cursor would rewrite each "%s" of its text with a regular expression, 190 µs for
        # one of 47 items.
        # Django's own rows a statement for bulk_create: 999 parameters' worth, 500 of a single column.
        per_statement = connection.ops.bulk_batch_size(fields, rows)
        row_marks = "(" + ", ".join(["?"] * len(fields)) + ")"
        insert = f"INSERT INTO {table} ({columns}) VALUES "
        full = insert + ", ".join([row_marks] * per_statement)
        raw = cursor.cursor
        with transaction.atomic(using=connection.alias), connection.wrap_database_errors:
            # (one write lock for every row, even in autocommit)
            for start in range(0, len(rows), per_statement):
                some = rows[start : start + per_statement]
                sql = full if len(some) == per_statement else insert + ", ".join([row_marks] * len(some))
                Cursor.execute(raw, sql, list(chain.from_iterable(some)))
            last = raw.lastrowid
        return list(range(last - len(rows) + 1, last + 1))


def binary_types(connection, fields) -> list[str] | None:
    """The PostgreSQL type of each field's column as psycopg names it; None if one has no binary adapter."""
    from psycopg import ProgrammingError
    from psycopg.postgres import adapters
    from psycopg.postgres import types as known
    from psycopg.pq import Format

    names = []
    for field in fields:
        info = known.get(field.db_type(connection).split("(")[0].strip())
        if info is None:
            return None
        try:
            adapters.get_dumper_by_oid(info.oid, Format.BINARY)
        except ProgrammingError:
            return None
        names.append(info.name)
    return names


def insert_instances(instances, fields, rows, *, typed: bool = False) -> None:
    """``insert_rows`` for unsaved model instances, one row each: they get their ids and count as stored."""
    if not instances:
        return
    model = type(instances[0])
    alias = router.db_for_write(model)
    for instance, pk in zip(instances, insert_rows(model, fields, rows, typed=typed), strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = alias


@contextmanager
def _references_checked(cursor, table: _PostgresTable, columns: list[str], rows):
    """The rows' foreign keys checked as they go in rather than all at the commit (Django makes them
    deferred): the same work, but done while an import's other processes work too, instead of alone at the end
    (12 s of a million-row import's commit).

    Per row, PostgreSQL reads and locks (``FOR KEY SHARE``) the row each key points at: 10 µs a row for an
    item's three keys, a third of the server's work on an import's items. Where this connection may turn
    triggers off for its transaction (a superuser, or a role granted ``SET`` on ``session_replication_role``),
    each referenced table is instead read and locked the same way once, for the distinct values of all the
    rows, and the rows go in with the per-row checks off. A value that points at nothing raises
    IntegrityError before anything is written.
    """
    if not table.references:
        yield
        return
    if table.checked_by_keys_alone and _may_turn_off_triggers(cursor):
        for column, target, target_column in table.references:
            _lock_referenced(cursor, column, target, target_column, columns, rows)
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        cursor.execute("SET LOCAL session_replication_role = origin")
        return
    if table.deferrable:
        cursor.execute(f"SET CONSTRAINTS {table.deferrable} IMMEDIATE")
    yield
    if table.deferrable:
        cursor.execute(f"SET CONSTRAINTS {table.deferrable} DEFERRED")


def _lock_referenced(cursor, column, target, target_column, columns, rows) -> None:
    if column not in columns:
        return  # the table's default for it (a key left out of the insert must allow NULL)
    index = columns.index(column)
    wanted = {row[index] for row in rows}
    wanted.discard(None)  # a NULL key points at nothing and is not checked, as by the constraint
    if not wanted:
        return
    quote = cursor.db.ops.quote_name
    cursor.execute(
        f"SELECT {quote(target_column)} FROM ONLY {quote(target)} WHERE {quote(target_column)} = ANY(%s) "
        f"FOR KEY SHARE",
        [sorted(wanted)],
    )
    missing = wanted - {found for (found,) in cursor.fetchall()}
    if missing:
        raise IntegrityError(
            f'insert violates foreign key on column "{column}": key ({column})=({min(missing)}) is not '
            f'present in table "{target}"'
        )


def _may_turn_off_triggers(cursor) -> bool:
    """Whether this connection's role may set ``session_replication_role``; asked once per connection."""
    connection = cursor.db
    allowed = connection.__dict__.get("_dangan_may_turn_off_triggers")
    if allowed is None:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        allowed = bool(cursor.fetchone()[0])
        connection.__dict__["_dangan_may_turn_off_triggers"] = allowed
    return allowed


def _postgres_table(cursor, model) -> _PostgresTable:
    """What a bulk insert into ``model``'s table needs to know of it, found once: the sequence resolved inside
    the statement was looked up again for every id (5 ms for a thousand, not 0.5)."""
    key = (cursor.db.alias, model._meta.db_table)
    if key not in _POSTGRES_TABLES:
        quote = cursor.db.ops.quote_name
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.conname, c.condeferrable, array_length(c.conkey, 1), a.attname, t.relname, ta.attname "
            "FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_class t ON t.oid = c.confrelid "
            "JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = c.confkey[1] "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'f' ORDER BY c.conname",
            [quote(model._meta.db_table)],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [quote(model._meta.db_table)],
        )
        own_triggers = cursor.fetchone()[0]
        _POSTGRES_TABLES[key] = _PostgresTable(
            sequence=sequence,
            deferrable=", ".join(quote(name) for name, deferrable, *_rest in keys if deferrable),
            references=tuple((column, target, target_column) for *_c, column, target, target_column in keys),
            checked_by_keys_alone=not own_triggers and all(size == 1 for _n, _d, size, *_r in keys),
        )
    return _POSTGRES_TABLES[key]


class DeferredCheckpoint:
    """SQLite copies a transaction's write-ahead log into the database file (a checkpoint) inside the COMMIT
    that takes it past ``wal_autocheckpoint`` pages: for an import of a million rows, two to three seconds
    of one core while the rest of the import waits. Made inside the transaction, this lets the commit skip
    it; ``run()`` copies the log afterwards, when the caller has other work running meanwhile (the search
    indexer's commit, in its own process). Nothing happens on other databases, nor without a log."""

    def __init__(self, connection=None):
        self.connection = connection or connections[DEFAULT_DB_ALIAS]
        self.pages = None
        if self.connection.vendor == "sqlite":
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                if cursor.fetchone()[0] != "wal":  # an in-memory database (the tests'): no log to copy
                    return
                cursor.execute("PRAGMA wal_autocheckpoint")
                self.pages = cursor.fetchone()[0]
                cursor.execute("PRAGMA wal_autocheckpoint = 0")

    def run(self) -> None:
        """Copy the log now, as far as readers allow, and check automatically again from here on."""
        if self.pages is None:
            return
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(self.pages)}")
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except DatabaseError:  # after the commit: the next automatic checkpoint copies the log instead
            logger.warning("could not copy the database's log after a large transaction", exc_info=True)
        self.pages = None
