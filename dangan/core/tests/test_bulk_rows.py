"""``core.bulk.insert_rows``: rows written below the ORM for the bulk paths."""

import pytest
from django.db import IntegrityError, connection, transaction

from dangan.catalogue.models import Category, CategoryField
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


@on_postgresql
def test_a_row_pointing_at_nothing_is_refused_as_it_goes_in_not_at_the_commit():
    fields, rows = rows_for(CategoryField(category_id=987654, key="handler", label="经办人"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(CategoryField, fields, rows)


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
