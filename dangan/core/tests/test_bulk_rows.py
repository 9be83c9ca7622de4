"""``core.bulk.insert_rows``: rows written below the ORM for the bulk paths."""

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from dangan.catalogue.models import Category, CategoryField
from dangan.core import bulk
from dangan.core.bulk import insert_rows

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL checks deferred references at the commit"
)


def rows_for(*fields_of):
    fields = [f for f in CategoryField._meta.concrete_fields if not f.primary_key]
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in fields_of]
    return fields, rows


def test_inserted_rows_get_the_ids_they_are_stored_under():
    category = Category.objects.get(code="WS")
    fields, rows = rows_for(
        CategoryField(category=category, key="handler", label="经办人"),
        CategoryField(category=category, key="place", label="地点"),
    )
    ids = insert_rows(CategoryField, fields, rows)
    assert [CategoryField.objects.get(pk=pk).key for pk in ids] == ["handler", "place"]


def many_fields(category, count: int) -> list[CategoryField]:
    return [CategoryField(category=category, key=f"field{n}", label=f"字段{n}") for n in range(count)]


def test_more_rows_than_one_statement_holds_keep_their_order_and_ids():
    """On SQLite the rows go in many to a statement (as many as its parameters allow): across statements,
    the last one short, each row still gets the id it is stored under."""
    category = Category.objects.get(code="WS")
    # What insert_rows puts in a statement on SQLite; PostgreSQL's COPY takes any number, and gets 200.
    per_statement = connection.ops.bulk_batch_size(rows_for()[0], range(200))
    fields, rows = rows_for(*many_fields(category, 2 * per_statement + 17))
    ids = insert_rows(CategoryField, fields, rows)
    stored = dict(CategoryField.objects.filter(pk__in=ids).values_list("pk", "key"))
    assert [stored[pk] for pk in ids] == [f"field{n}" for n in range(len(rows))]
    assert ids == list(range(ids[0], ids[0] + len(rows)))


def test_a_row_breaking_a_constraint_is_djangos_integrity_error_and_none_of_the_rows_stays():
    category = Category.objects.get(code="WS")
    existing = CategoryField.objects.create(category=category, key="field150", label="已有")
    before = CategoryField.objects.count()
    fields, rows = rows_for(*many_fields(category, 300))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(CategoryField, fields, rows)
    assert CategoryField.objects.count() == before
    assert CategoryField.objects.get(key="field150") == existing


@on_postgresql
def test_typed_rows_read_back_as_the_same_rows_written_as_text():
    category = Category.objects.get(code="WS")
    written = []
    for typed in (False, True):
        fields, rows = rows_for(
            CategoryField(category=category, key=f"handler{typed:d}", label="经办人", required=True, order=7),
            CategoryField(
                category=category, key=f"place{typed:d}", label="地点", choices="甲,乙", max_length=9,
                field_type="choice",
            ),
        )
        ids = insert_rows(CategoryField, fields, rows, typed=typed)
        written.append(list(CategoryField.objects.filter(pk__in=ids).order_by("pk").values(
            "category", "label", "field_type", "required", "choices", "max_length", "order")))
    assert written[0] == written[1] and written[0][0]["required"] is True


@on_postgresql
def test_a_column_without_a_binary_adapter_sends_its_rows_as_text():
    from dangan.search.models import SearchDocument

    assert bulk.binary_types(connection, CategoryField._meta.concrete_fields) is not None
    assert bulk.binary_types(connection, [SearchDocument._meta.get_field("tokens")]) is None


@pytest.fixture(params=[True, False], ids=["checked-once", "checked-per-row"])
def may_turn_off_triggers(request, monkeypatch):
    """Either way of checking references: once for all rows (a role that may turn triggers off, as the test
    database's superuser may) or by PostgreSQL's own per-row checks."""
    if not request.param:
        monkeypatch.setattr(bulk, "_may_turn_off_triggers", lambda cursor: False)
    return request.param


@on_postgresql
def test_a_row_pointing_at_nothing_is_refused_as_it_goes_in_not_at_the_commit(may_turn_off_triggers):
    category = Category.objects.get(code="WS")
    fields, rows = rows_for(
        CategoryField(category=category, key="handler", label="经办人"),
        CategoryField(category_id=987654, key="place", label="地点"),
    )
    before = CategoryField.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(CategoryField, fields, rows)
    assert CategoryField.objects.count() == before


@on_postgresql
def test_after_the_rows_went_in_other_writes_are_checked_by_their_triggers_again(may_turn_off_triggers):
    category = Category.objects.get(code="WS")
    insert_rows(CategoryField, *rows_for(CategoryField(category=category, key="handler", label="经办人")))
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryField.objects.filter(key="handler").update(category_id=987654)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@on_postgresql
def test_a_table_with_a_trigger_of_its_own_keeps_it_during_a_bulk_insert():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_handler() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'own trigger ran'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_handler BEFORE INSERT ON catalogue_categoryfield "
            "FOR EACH ROW EXECUTE FUNCTION refuse_handler()"
        )
    bulk._POSTGRES_TABLES.clear()
    category = Category.objects.get(code="WS")
    try:
        row = CategoryField(category=category, key="handler", label="经办人")
        with pytest.raises(Exception, match="own trigger ran"), transaction.atomic():
            insert_rows(CategoryField, *rows_for(row))
    finally:
        bulk._POSTGRES_TABLES.clear()  # the trigger goes with the test's transaction


@on_postgresql
def test_references_written_afterwards_are_deferred_to_the_commit_again():
    category = Category.objects.get(code="WS")
    insert_rows(CategoryField, *rows_for(CategoryField(category=category, key="handler", label="经办人")))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_categoryfield SET category_id = 987654 WHERE key = 'handler'")
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would find
        cursor.execute(
            "UPDATE catalogue_categoryfield SET category_id = %s WHERE key = 'handler'", [category.pk]
        )


LOCK_FOR_DELETION = "SELECT 1 FROM catalogue_category WHERE id = %s FOR UPDATE NOWAIT"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_rows_pointed_at_stay_locked_against_deletion_until_the_commit(may_turn_off_triggers):
    category = Category.objects.create(code="TMP", name="临时门类")
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None,
        port=settings["PORT"] or None, password=settings["PASSWORD"] or None, autocommit=True,
    )
    row = CategoryField(category=category, key="handler", label="经办人")
    try:
        with transaction.atomic():
            insert_rows(CategoryField, *rows_for(row))
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(LOCK_FOR_DELETION, [category.pk])
        other.execute(LOCK_FOR_DELETION, [category.pk])
    finally:
        other.close()
        CategoryField.objects.filter(category=category).delete()
        category.delete()


def test_field_values_read_a_model_instances_fields_as_attribute_access_does():
    category = Category.objects.get(code="WS")
    field = CategoryField.objects.create(category=category, key="handler", label="经办人")
    values = bulk.field_values("category_id", "key", "label")

    assert values(field) == (category.pk, "handler", "经办人")
    assert bulk.field_values("category_id")(field) == category.pk


def test_field_values_load_a_deferred_field_as_attribute_access_does():
    category = Category.objects.get(code="WS")
    CategoryField.objects.create(category=category, key="handler", label="经办人")
    field = CategoryField.objects.only("key").get(key="handler")

    assert bulk.field_values("key", "category_id", "label")(field) == ("handler", category.pk, "经办人")


@pytest.fixture
def sqlite_file(tmp_path):
    """A connection to an SQLite database in a file, set up as the embedded default's (the test database is
    in memory, without a write-ahead log), with a table to fill."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from dangan.settings import SQLITE_OPTIONS

    path = tmp_path / "db.sqlite3"
    wrapper = DatabaseWrapper(
        {**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": str(path),
         "OPTIONS": SQLITE_OPTIONS},
        alias="sqlite_file",
    )
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x TEXT)")
    yield wrapper, path
    wrapper.close()


def commit_pages(wrapper, deferred: bool) -> "bulk.DeferredCheckpoint | None":
    """Some 3,000 pages in one transaction: past the 1,000 that make SQLite's commit copy its log."""
    wrapper.set_autocommit(False)
    checkpoint = bulk.DeferredCheckpoint(wrapper) if deferred else None
    with wrapper.cursor() as cursor:
        cursor.executemany("INSERT INTO t (x) VALUES (%s)", [("档案" * 500,) for _ in range(2000)])
    wrapper.commit()
    wrapper.set_autocommit(True)
    return checkpoint


def test_a_commit_under_a_deferred_checkpoint_leaves_the_log_to_run_later(sqlite_file):
    wrapper, path = sqlite_file
    size = path.stat().st_size
    checkpoint = commit_pages(wrapper, deferred=True)
    assert path.stat().st_size == size  # every page still in the log
    checkpoint.run()
    assert path.stat().st_size > size + 4_000_000
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 1000  # automatic again


def test_without_it_the_commit_copies_the_log_itself(sqlite_file):
    wrapper, path = sqlite_file
    size = path.stat().st_size
    commit_pages(wrapper, deferred=False)
    assert path.stat().st_size > size + 4_000_000
