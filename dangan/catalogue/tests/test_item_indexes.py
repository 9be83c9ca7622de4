"""The item table's indexes: each one is another B-tree to update for every item an import files, so the
table keeps those its lookups use and no more."""

import pytest
from django.db import connection

from dangan.catalogue.models import Item
from dangan.catalogue.services import file_items_in_bulk
from dangan.testing import make_volume, new_items

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's collations")


def test_the_item_table_keeps_only_the_indexes_its_lookups_use():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Item._meta.db_table)
    indexed = {
        tuple(c["columns"]) for c in constraints.values() if c["index"] or c["unique"] or c["primary_key"]
    }
    assert indexed == {
        ("id",),
        ("reference_code",),
        ("fonds_id", "category_id", "year"),  # every lookup by fonds begins here
        ("year",),
        ("status",),
        ("category_id",),
        ("volume_id",),  # a volume's items: only items in a volume are in it (below)
    }


def test_a_volumes_items_are_found_by_an_index_of_the_items_in_volumes_alone(world):
    volume = make_volume(world.fonds_a)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Item._meta.db_table)
        indexes = [name for name, c in constraints.items() if c["index"] and c["columns"] == ["volume_id"]]
        assert indexes == ["catalogue_item_in_volume"]
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test's tiny table is read whole otherwise
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'catalogue_item_in_volume'")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'catalogue_item_in_volume'")
        assert "WHERE" in (sql := cursor.fetchone()[0].upper()) and "IS NOT NULL" in sql
        plan = Item.objects.filter(volume=volume).explain()
    assert "catalogue_item_in_volume" in plan


@on_postgresql
def test_a_prefix_lookup_of_reference_codes_is_served_by_their_unique_index(world):
    file_items_in_bulk(new_items(world.fonds_a, 3))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Item.objects.filter(reference_code__startswith="A001-WS").explain()
    assert "catalogue_item_reference_code_key" in plan

