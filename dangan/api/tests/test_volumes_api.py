"""Volumes (案卷) through the API, and items filed into them."""

import pytest

from dangan.api.tests.helpers import count, ids, item_payload
from dangan.catalogue.choices import SecurityLevel
from dangan.catalogue.models import Item, Volume
from dangan.testing import make_category, make_fonds, make_item, make_retention, make_volume

pytestmark = pytest.mark.django_db

VOLUMES = "/api/v1/volumes/"
ITEMS = "/api/v1/items/"


@pytest.fixture
def volumes(world):
    return {
        "a": make_volume(world.fonds_a, title="城关镇竣工图"),
        "b": make_volume(world.fonds_b, title="柳河镇竣工图"),
        "a_secret": make_volume(world.fonds_a, title="秘密卷", security_level=SecurityLevel.SECRET),
    }


def volume_payload(world, **overrides):
    payload = {"fonds": world.fonds_a.pk, "category": make_category("KJ", "科技", filing_level="volume").pk,
               "year": 2022, "retention": world.retention.pk, "title": "区行政中心工程竣工图",
               "security_level": "public", "control": "open"}
    payload.update(overrides)
    return payload


def test_archivist_lists_only_own_units_volumes(as_persona, volumes):
    assert ids(as_persona("archivist_a").get(VOLUMES)) == {volumes["a"].pk}


def test_archivist_cannot_count_other_units_volumes(as_persona, volumes):
    assert count(as_persona("archivist_b").get(VOLUMES)) == 1


def test_archivist_cannot_retrieve_other_units_volume(as_persona, volumes):
    assert as_persona("archivist_b").get(f"{VOLUMES}{volumes['a'].pk}/").status_code == 404


def test_staff_cleared_internal_do_not_see_secret_volume(as_persona, volumes):
    assert volumes["a_secret"].pk not in ids(as_persona("staff").get(VOLUMES))


def test_reader_sees_only_open_public_volumes(as_persona, volumes):
    assert ids(as_persona("reader").get(VOLUMES)) == set()


def test_anonymous_cannot_list_volumes(as_persona, volumes):
    assert as_persona("anonymous").get(VOLUMES).status_code == 401


def test_archivist_creates_volume_with_reference_code(world, as_persona):
    response = as_persona("archivist_a").post(VOLUMES, volume_payload(world), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reference_code"] == "A001-KJ·2022-Y-0001"


def test_archivist_cannot_create_volume_in_other_units_fonds(world, as_persona):
    response = as_persona("archivist_b").post(VOLUMES, volume_payload(world), format="json")
    assert response.status_code == 403
    assert Volume.objects.count() == 0


def test_volume_in_a_category_filed_by_item_is_refused(world, as_persona):
    response = as_persona("archivist_a").post(VOLUMES, volume_payload(world, category=world.category.pk),
                                              format="json")
    assert response.status_code == 400
    assert "category" in response.json()


def test_archivist_cannot_change_other_units_volume(as_persona, volumes):
    response = as_persona("archivist_b").patch(f"{VOLUMES}{volumes['a'].pk}/", {"title": "改"}, format="json")
    assert response.status_code == 404
    volumes["a"].refresh_from_db()
    assert volumes["a"].title == "城关镇竣工图"


def test_archivist_cannot_delete_other_units_volume(as_persona, volumes):
    assert as_persona("archivist_b").delete(f"{VOLUMES}{volumes['a'].pk}/").status_code == 404
    assert Volume.objects.filter(pk=volumes["a"].pk).exists()


def test_archivist_deletes_own_empty_volume(as_persona, volumes):
    assert as_persona("archivist_a").delete(f"{VOLUMES}{volumes['a'].pk}/").status_code == 204


def test_volume_holding_items_cannot_be_deleted(world, as_persona, volumes):
    make_item(world.fonds_a, volume=volumes["a"], category=volumes["a"].category)
    response = as_persona("archivist_a").delete(f"{VOLUMES}{volumes['a'].pk}/")
    assert response.status_code == 409
    assert Volume.objects.filter(pk=volumes["a"].pk).exists()


def test_reader_cannot_create_volumes(world, as_persona):
    assert as_persona("reader").post(VOLUMES, volume_payload(world), format="json").status_code == 403


# Items in volumes -------------------------------------------------------------------------------------------


def test_item_in_a_category_filed_by_volume_needs_a_volume(world, as_persona, volumes):
    payload = item_payload(world, category=volumes["a"].category.pk)
    response = as_persona("archivist_a").post(ITEMS, payload, format="json")
    assert response.status_code == 400
    assert "category" in response.json()
    assert Item.objects.count() == 0


def test_item_in_a_volume_takes_the_volumes_classification(world, as_persona, volumes):
    response = as_persona("archivist_a").post(ITEMS, {"volume": volumes["a"].pk, "title": "竣工图 1"},
                                              format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    volume = volumes["a"]
    assert (data["fonds"], data["category"], data["year"], data["retention"]) == (
        volume.fonds_id, volume.category_id, volume.year, volume.retention_id)
    assert data["reference_code"] == f"{volume.reference_code}-001"


def test_item_in_a_volume_ignores_a_conflicting_year_and_retention(world, as_persona, volumes):
    other = make_retention("D30")
    body = {"volume": volumes["a"].pk, "title": "竣工图", "year": 2019, "retention": other.pk}
    response = as_persona("archivist_a").post(ITEMS, body, format="json")
    assert response.status_code == 201, response.content
    item = Item.objects.get(pk=response.json()["id"])
    assert (item.year, item.retention_id) == (volumes["a"].year, volumes["a"].retention_id)


def test_item_in_a_volume_of_another_fonds_is_refused(world, as_persona, volumes):
    payload = {"volume": volumes["a"].pk, "title": "错放", "fonds": make_fonds(world.village_a, "V001").pk}
    response = as_persona("archivist_a").post(ITEMS, payload, format="json")
    assert response.status_code == 400
    assert "volume" in response.json()
    assert Item.objects.count() == 0


def test_archivist_cannot_file_an_item_into_other_units_volume(world, as_persona, volumes):
    body = {"volume": volumes["a"].pk, "title": "潜入"}
    response = as_persona("archivist_b").post(ITEMS, body, format="json")
    assert response.status_code == 400
    assert "volume" in response.json()
    assert Item.objects.count() == 0


def test_moving_a_loose_item_into_a_volume_reclassifies_and_renumbers_it(world, as_persona, volumes):
    item = make_item(world.fonds_a)
    body = {"volume": volumes["a"].pk}
    response = as_persona("archivist_a").patch(f"{ITEMS}{item.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.volume_id, item.category_id, item.year) == (volumes["a"].pk, volumes["a"].category_id, 2022)
    assert item.reference_code == f"{volumes['a'].reference_code}-001"


def test_item_keeping_its_own_category_cannot_go_into_a_volume_of_another(world, as_persona, volumes):
    item = make_item(world.fonds_a)
    response = as_persona("archivist_a").patch(
        f"{ITEMS}{item.pk}/", {"volume": volumes["a"].pk, "category": world.category.pk}, format="json")
    assert response.status_code == 400
    assert "volume" in response.json() or "category" in response.json()
    item.refresh_from_db()
    assert item.volume_id is None


def test_reclassifying_a_volume_that_holds_items_is_refused(world, as_persona, volumes):
    item = make_item(world.fonds_a, volume=volumes["a"], category=volumes["a"].category)
    response = as_persona("archivist_a").patch(f"{VOLUMES}{volumes['a'].pk}/", {"year": 2020}, format="json")
    assert response.status_code == 400
    assert "year" in response.json()
    item.refresh_from_db()
    volumes["a"].refresh_from_db()
    assert (volumes["a"].year, item.year) == (2022, 2022)
    assert item.reference_code.startswith(volumes["a"].reference_code)


def test_retitling_a_volume_that_holds_items_is_allowed(world, as_persona, volumes):
    make_item(world.fonds_a, volume=volumes["a"], category=volumes["a"].category)
    body = {"title": "新题名"}
    response = as_persona("archivist_a").patch(f"{VOLUMES}{volumes['a'].pk}/", body, format="json")
    assert response.status_code == 200, response.content
