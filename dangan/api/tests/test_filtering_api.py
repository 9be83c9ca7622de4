"""Filters shared with the list pages, ordering and pagination; none of them reaches a hidden record."""

import pytest

from dangan.api.tests.helpers import count, ids
from dangan.catalogue.choices import ControlStatus, RecordStatus, SecurityLevel
from dangan.testing import make_category, make_fonds, make_item, make_retention, make_volume

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/items/"


@pytest.fixture
def items(world):
    photos = make_category("ZP")
    return {
        "a2020": make_item(world.fonds_a, year=2020, title="二〇二〇年工作总结",
                           document_number="城政〔2020〕1号"),
        "a2022": make_item(world.fonds_a, year=2022, title="防汛预案", retention=make_retention("D10"),
                           control=ControlStatus.CONTROLLED),
        "a2023": make_item(world.fonds_a, year=2023, title="照片：新办公楼落成", category=photos,
                           security_level=SecurityLevel.INTERNAL, status=RecordStatus.DRAFT),
        "b2021": make_item(world.fonds_b, year=2021, title="柳河镇防汛总结"),
    }


def pks(items, *keys):
    return {items[k].pk for k in keys}


@pytest.fixture
def staff(as_persona):
    return as_persona("staff")


def test_filter_by_year(staff, items):
    assert ids(staff.get(ITEMS, {"year": 2022})) == pks(items, "a2022")


def test_filter_by_year_range(staff, items):
    assert ids(staff.get(ITEMS, {"year_from": 2021, "year_to": 2022})) == pks(items, "a2022", "b2021")


def test_filter_by_unit(world, staff, items):
    assert ids(staff.get(ITEMS, {"unit": world.unit_b.pk})) == pks(items, "b2021")


def test_filter_by_fonds(world, staff, items):
    assert ids(staff.get(ITEMS, {"fonds": world.fonds_a.pk})) == pks(items, "a2020", "a2022", "a2023")


def test_filter_by_category(staff, items):
    assert ids(staff.get(ITEMS, {"category": items["a2023"].category_id})) == pks(items, "a2023")


def test_filter_by_retention(staff, items):
    assert ids(staff.get(ITEMS, {"retention": items["a2022"].retention_id})) == pks(items, "a2022")


def test_filter_by_status(staff, items):
    assert ids(staff.get(ITEMS, {"status": "draft"})) == pks(items, "a2023")


def test_filter_by_control(staff, items):
    assert ids(staff.get(ITEMS, {"control": "controlled"})) == pks(items, "a2022")


def test_filter_by_security_level(staff, items):
    assert ids(staff.get(ITEMS, {"security_level": "internal"})) == pks(items, "a2023")


def test_search_matches_title_and_document_number(staff, items):
    assert ids(staff.get(ITEMS, {"q": "防汛"})) == pks(items, "a2022", "b2021")
    assert ids(staff.get(ITEMS, {"q": "〔2020〕"})) == pks(items, "a2020")


def test_filters_combine(world, staff, items):
    assert ids(staff.get(ITEMS, {"q": "防汛", "fonds": world.fonds_a.pk})) == pks(items, "a2022")


def test_filter_by_volume(world, staff):
    volume = make_volume(world.fonds_a)
    inside = make_item(world.fonds_a, volume=volume, category=volume.category)
    make_item(world.fonds_a)
    assert ids(staff.get(ITEMS, {"volume": volume.pk})) == {inside.pk}


def test_volumes_filter_by_year(world, staff):
    old, new = make_volume(world.fonds_a, year=2010), make_volume(world.fonds_a, year=2020)
    assert ids(staff.get("/api/v1/volumes/", {"year": 2010})) == {old.pk}
    assert new.pk in ids(staff.get("/api/v1/volumes/", {"year_from": 2015}))


def test_units_filter_by_parent_and_type(world, staff):
    assert ids(staff.get("/api/v1/units/", {"parent": world.unit_a.pk})) == {world.village_a.pk}
    assert ids(staff.get("/api/v1/units/", {"unit_type": "town"})) == {world.unit_a.pk, world.unit_b.pk}


def test_fonds_filter_by_unit(world, staff):
    assert ids(staff.get("/api/v1/fonds/", {"unit": world.unit_b.pk})) == {world.fonds_b.pk}


def test_retention_filter_by_active(world, staff):
    legacy = make_retention("CQ", "长期", active=False)
    rows = staff.get("/api/v1/retention/", {"active": "false"}).json()["results"]
    assert legacy.pk in {r["id"] for r in rows}
    assert not any(r["active"] for r in rows)


def test_invalid_filter_value_is_a_400_naming_the_filter(staff, items):
    response = staff.get(ITEMS, {"year": "abc"})
    assert response.status_code == 400
    assert "year" in response.json()


def test_unknown_choice_in_filter_is_a_400_naming_the_filter(staff, items):
    response = staff.get(ITEMS, {"security_level": "bogus"})
    assert response.status_code == 400
    assert "security_level" in response.json()


# Filters never reach hidden records -------------------------------------------------------------------


def test_archivist_filtering_by_other_units_fonds_gets_no_data(world, as_persona, items):
    response = as_persona("archivist_a").get(ITEMS, {"fonds": world.fonds_b.pk})
    assert response.status_code in (200, 400)
    assert response.status_code == 400 or response.json()["count"] == 0
    assert "柳河镇" not in response.content.decode()


def test_archivist_filtering_by_other_unit_gets_nothing(world, as_persona, items):
    assert count(as_persona("archivist_a").get(ITEMS, {"unit": world.unit_b.pk})) == 0


def test_archivist_searching_other_units_titles_gets_nothing(world, as_persona, items):
    assert ids(as_persona("archivist_a").get(ITEMS, {"q": "柳河镇"})) == set()


def test_reader_filtering_by_controlled_gets_nothing(as_persona, items):
    assert count(as_persona("reader").get(ITEMS, {"control": "controlled"})) == 0


def test_staff_filtering_by_secret_gets_nothing(world, as_persona, items):
    make_item(world.fonds_a, security_level=SecurityLevel.SECRET)
    assert count(as_persona("staff").get(ITEMS, {"security_level": "secret"})) == 0


def test_archivist_filtering_by_other_units_volume_gets_no_data(world, as_persona):
    volume = make_volume(world.fonds_b)
    make_item(world.fonds_b, volume=volume, category=volume.category)
    response = as_persona("archivist_a").get(ITEMS, {"volume": volume.pk})
    assert response.status_code == 400 or response.json()["count"] == 0


def test_archivist_listing_fonds_of_other_unit_gets_nothing(world, as_persona):
    make_fonds(world.village_a, "V001")
    assert count(as_persona("archivist_b").get("/api/v1/fonds/", {"unit": world.unit_a.pk})) == 0


# Ordering and pagination -----------------------------------------------------------------------------------


def test_ordering_by_year(staff, items):
    years = [row["year"] for row in staff.get(ITEMS, {"ordering": "year"}).json()["results"]]
    assert years == sorted(years)


def test_descending_ordering_by_year(staff, items):
    years = [row["year"] for row in staff.get(ITEMS, {"ordering": "-year"}).json()["results"]]
    assert years == sorted(years, reverse=True)


def test_ordering_by_an_unknown_field_is_ignored(staff, items):
    assert count(staff.get(ITEMS, {"ordering": "full_text"})) == 4


def test_volumes_cannot_be_ordered_by_a_field_they_lack(world, staff):
    make_volume(world.fonds_a)
    assert staff.get("/api/v1/volumes/", {"ordering": "date"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/categories/", "/api/v1/schedules/"])
def test_ordering_by_a_nested_list_is_ignored(staff, url):
    unordered = staff.get(url, {"page_size": 1000}).json()
    nested = "fields" if "categ" in url else "entries"
    ordered = staff.get(url, {"page_size": 1000, "ordering": nested}).json()
    assert ordered["count"] == unordered["count"] == len(ordered["results"])


def test_page_size_limits_a_page_and_count_gives_the_total(staff, items):
    data = staff.get(ITEMS, {"page_size": 2, "ordering": "year"}).json()
    assert data["count"] == 4
    assert [row["year"] for row in data["results"]] == [2020, 2021]
    assert data["next"] is not None


def test_second_page_continues_the_first(staff, items):
    data = staff.get(ITEMS, {"page_size": 2, "ordering": "year", "page": 2}).json()
    assert [row["year"] for row in data["results"]] == [2022, 2023]
    assert data["next"] is None


def test_page_past_the_end_is_a_404(staff, items):
    assert staff.get(ITEMS, {"page": 99}).status_code == 404


def test_non_numeric_page_size_falls_back_to_the_default(staff, items):
    assert count(staff.get(ITEMS, {"page_size": "lots"})) == 4


def test_count_is_of_what_the_user_may_see(as_persona, items):
    assert count(as_persona("reader").get(ITEMS, {"page_size": 1})) == 2
