"""Fonds (全宗) through the API: archivists see their own; only the bureau creates, changes and deletes."""

import pytest

from dangan.api.tests.helpers import error_fields, ids
from dangan.catalogue.models import Fonds, Item
from dangan.testing import make_fonds, make_item

pytestmark = pytest.mark.django_db

FONDS = "/api/v1/fonds/"


def url(fonds):
    return f"{FONDS}{fonds.pk}/"


@pytest.fixture
def village_fonds(world):
    return make_fonds(world.village_a, "V001")


def test_bureau_staff_list_every_fonds(world, as_persona, village_fonds):
    assert ids(as_persona("staff").get(FONDS)) == {world.fonds_a.pk, world.fonds_b.pk, village_fonds.pk}


def test_archivist_lists_own_and_sub_units_fonds(world, as_persona, village_fonds):
    assert ids(as_persona("archivist_a").get(FONDS)) == {world.fonds_a.pk, village_fonds.pk}


def test_archivist_cannot_list_other_units_fonds(world, as_persona, village_fonds):
    assert ids(as_persona("archivist_b").get(FONDS)) == {world.fonds_b.pk}


def test_archivist_cannot_retrieve_other_units_fonds(world, as_persona):
    assert as_persona("archivist_b").get(url(world.fonds_a)).status_code == 404


def test_reader_lists_fonds_as_a_finding_aid(world, as_persona):
    assert ids(as_persona("reader").get(FONDS)) == {world.fonds_a.pk, world.fonds_b.pk}


def test_anonymous_cannot_list_fonds(world, as_persona):
    assert as_persona("anonymous").get(FONDS).status_code == 401


def fonds_body(world):
    return {"number": "V001", "name": "东关村", "unit": world.village_a.pk, "custodian": world.village_a.pk}


def test_bureau_staff_create_a_fonds(world, as_persona):
    response = as_persona("staff").post(FONDS, fonds_body(world), format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("persona", ["archivist_a", "reader"])
def test_nobody_else_creates_a_fonds(world, as_persona, persona):
    response = as_persona(persona).post(FONDS, fonds_body(world), format="json")
    assert response.status_code == 403
    assert not Fonds.objects.filter(number="V001").exists()


def test_archivist_cannot_change_own_units_fonds(world, as_persona):
    response = as_persona("archivist_a").patch(url(world.fonds_a), {"name": "改名"}, format="json")
    assert response.status_code == 403
    world.fonds_a.refresh_from_db()
    assert world.fonds_a.name == "城关镇"


def test_archivist_cannot_change_other_units_fonds(world, as_persona):
    response = as_persona("archivist_b").patch(url(world.fonds_a), {"name": "改名"}, format="json")
    assert response.status_code == 404
    world.fonds_a.refresh_from_db()
    assert world.fonds_a.name == "城关镇"


def test_archivist_cannot_delete_other_units_fonds(world, as_persona):
    assert as_persona("archivist_b").delete(url(world.fonds_a)).status_code == 404
    assert Fonds.objects.filter(pk=world.fonds_a.pk).exists()


def test_archivist_cannot_delete_own_units_fonds(world, as_persona):
    assert as_persona("archivist_a").delete(url(world.fonds_a)).status_code == 403
    assert Fonds.objects.filter(pk=world.fonds_a.pk).exists()


def test_bureau_staff_change_a_fonds(world, as_persona):
    response = as_persona("staff").patch(url(world.fonds_a), {"description": "1950 年起"}, format="json")
    assert response.status_code == 200, response.content


def test_bureau_staff_delete_an_empty_fonds(world, as_persona, village_fonds):
    assert as_persona("staff").delete(url(village_fonds)).status_code == 204
    assert not Fonds.objects.filter(pk=village_fonds.pk).exists()


def test_fonds_holding_items_cannot_be_deleted(world, as_persona):
    item = make_item(world.fonds_a)
    response = as_persona("staff").delete(url(world.fonds_a))
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Fonds.objects.filter(pk=world.fonds_a.pk).exists()
    assert Item.objects.filter(pk=item.pk).exists()


def test_duplicate_fonds_number_is_refused_naming_number(world, as_persona):
    response = as_persona("staff").post(FONDS, {"number": "A001", "name": "重复", "unit": world.unit_a.pk,
                                                "custodian": world.unit_a.pk}, format="json")
    assert "number" in error_fields(response)
    assert Fonds.objects.filter(number="A001").count() == 1


def test_fonds_ending_before_it_starts_is_refused_naming_end_year(world, as_persona):
    response = as_persona("staff").patch(url(world.fonds_a), {"start_year": 2000, "end_year": 1990},
                                         format="json")
    assert "end_year" in error_fields(response)
    world.fonds_a.refresh_from_db()
    assert world.fonds_a.start_year is None
