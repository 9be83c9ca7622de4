"""The item table's indexes: each one is another B-tree to update for every item an import files, so the
table keeps those its lookups use and no more."""

import pytest
from django.db import connection

from dangan.catalogue.models import Item
from dangan.catalogue.services import file_items_in_bulk
from dangan.testing import new_items

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
        ("volume_id",),  # a volume's items
    }


@on_postgresql
def test_a_prefix_lookup_of_reference_codes_is_served_by_their_unique_index(world):
    file_items_in_bulk(new_items(world.fonds_a, 3))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Item.objects.filter(reference_code__startswith="A001-WS").explain()
    assert "catalogue_item_reference_code_key" in plan

