"""Units, groups, archivists and unit mergers through the API."""

import datetime

import pytest

from dangan.api.tests.endpoints import BureauEditedEndpoint
from dangan.api.tests.helpers import denials, error_fields, ids
from dangan.catalogue.choices import FondsStatus
from dangan.testing import make_item, make_unit
from dangan.units.choices import UnitStatus
from dangan.units.models import Archivist, Group, Unit, UnitEvent

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"
MERGE = "/api/v1/units/merge/"
ARCHIVISTS = "/api/v1/archivists/"


class TestUnitApi(BureauEditedEndpoint):
    url = UNITS
    model = Unit
    change = {"name": "城关街道"}

    def make(self, world):
        return make_unit("新设单位", "department", parent=world.bureau, code="NEWU")

    def payload(self, world):
        return {"code": "TOWNC", "name": "石桥镇", "unit_type": "town", "parent": world.bureau.pk}


class TestGroupApi(BureauEditedEndpoint):
    url = "/api/v1/groups/"
    model = Group
    change = {"name": "第二协作组"}

    def make(self, world):
        return Group.objects.create(name="第一协作组")

    def payload(self, world):
        return {"name": "第三协作组", "description": "城关镇、柳河镇互查"}


def test_unit_with_dependants_cannot_be_deleted(world, as_persona):
    response = as_persona("staff").delete(f"{UNITS}{world.unit_a.pk}/")
    assert response.status_code == 409
    assert Unit.objects.filter(pk=world.unit_a.pk).exists()


def test_unit_cannot_become_its_own_ancestor(world, as_persona):
    response = as_persona("staff").patch(f"{UNITS}{world.unit_a.pk}/", {"parent": world.village_a.pk},
                                         format="json")
    assert "parent" in error_fields(response)
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent_id == world.bureau.pk


def test_unit_status_cannot_be_set_directly(world, as_persona):
    as_persona("staff").patch(f"{UNITS}{world.unit_b.pk}/", {"status": "merged"}, format="json")
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.ACTIVE


# Merging ----------------------------------------------------------------------------------------------------


def merge_body(units, successor, **extra):
    return {"units": [u.pk for u in units], "successor": successor.pk, "date": "2024-01-01", **extra}


def test_bureau_staff_merge_a_unit_into_another(world, as_persona):
    response = as_persona("staff").post(MERGE, merge_body([world.unit_b], world.unit_a, note="区划调整"),
                                        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == world.unit_a.pk
    world.unit_b.refresh_from_db()
    assert (world.unit_b.status, world.unit_b.successor_id) == (UnitStatus.MERGED, world.unit_a.pk)
    assert world.unit_b.status_date == datetime.date(2024, 1, 1)


def test_merged_units_fonds_is_closed_and_held_by_the_successor(world, as_persona):
    as_persona("staff").post(MERGE, merge_body([world.unit_b], world.unit_a), format="json")
    world.fonds_b.refresh_from_db()
    assert (world.fonds_b.status, world.fonds_b.custodian_id) == (FondsStatus.CLOSED, world.unit_a.pk)


def test_successors_archivist_sees_the_merged_units_items(world, as_persona):
    item = make_item(world.fonds_b)
    as_persona("staff").post(MERGE, merge_body([world.unit_b], world.unit_a), format="json")
    assert item.pk in ids(as_persona("archivist_a").get("/api/v1/items/"))


def test_a_unit_named_twice_is_merged_once(world, as_persona):
    response = as_persona("staff").post(MERGE, merge_body([world.unit_b, world.unit_b], world.unit_a),
                                        format="json")
    assert response.status_code == 200, response.content
    assert UnitEvent.objects.filter(unit=world.unit_b, kind="merged").count() == 1


@pytest.mark.parametrize("persona", ["archivist_a", "archivist_b", "reader"])
def test_only_bureau_staff_merge_units(world, as_persona, persona):
    response = as_persona(persona).post(MERGE, merge_body([world.unit_b], world.unit_a), format="json")
    assert response.status_code == 403
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.ACTIVE


def test_anonymous_cannot_merge_units(world, as_persona):
    assert as_persona("anonymous").post(MERGE, merge_body([world.unit_b], world.unit_a),
                                        format="json").status_code == 401


def test_refused_merge_is_audited(world, as_persona):
    as_persona("archivist_a").post(MERGE, merge_body([world.unit_b], world.unit_a), format="json")
    assert [e.message for e in denials("archivist_a")] == ["denied: merge"]


def test_unit_cannot_be_merged_into_itself(world, as_persona):
    response = as_persona("staff").post(MERGE, merge_body([world.unit_a], world.unit_a), format="json")
    assert "units" in error_fields(response)
    world.unit_a.refresh_from_db()
    assert world.unit_a.status == UnitStatus.ACTIVE


def test_unit_cannot_be_merged_into_an_inactive_unit(world, as_persona):
    closed = make_unit("已撤销单位", "town", parent=world.bureau, code="GONE", status=UnitStatus.ABOLISHED)
    response = as_persona("staff").post(MERGE, merge_body([world.unit_b], closed), format="json")
    assert "successor" in error_fields(response)
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.ACTIVE


def test_merged_unit_cannot_be_merged_again(world, as_persona):
    client = as_persona("staff")
    client.post(MERGE, merge_body([world.unit_b], world.unit_a), format="json")
    response = client.post(MERGE, merge_body([world.unit_b], world.bureau), format="json")
    assert "units" in error_fields(response)
    world.unit_b.refresh_from_db()
    assert world.unit_b.successor_id == world.unit_a.pk


def test_merge_into_an_own_sub_unit_is_refused(world, as_persona):
    response = as_persona("staff").post(MERGE, merge_body([world.unit_a], world.village_a), format="json")
    assert "successor" in error_fields(response)
    world.unit_a.refresh_from_db()
    assert world.unit_a.status == UnitStatus.ACTIVE


def test_merge_of_an_unknown_unit_names_the_field(world, as_persona):
    response = as_persona("staff").post(MERGE, {"units": [999999], "successor": world.unit_a.pk,
                                                "date": "2024-01-01"}, format="json")
    assert "units" in error_fields(response)


def test_merge_with_an_invalid_date_names_the_field(world, as_persona):
    response = as_persona("staff").post(MERGE, merge_body([world.unit_b], world.unit_a, date="2024-02-30"),
                                        format="json")
    assert "date" in error_fields(response)
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.ACTIVE


def test_merge_of_nothing_is_refused(world, as_persona):
    body = {"units": [], "successor": world.unit_a.pk, "date": "2024-01-01"}
    response = as_persona("staff").post(MERGE, body, format="json")
    assert "units" in error_fields(response)


# Archivists -------------------------------------------------------------------------------------------------


@pytest.fixture
def archivists(world):
    return {
        "a": Archivist.objects.create(unit=world.unit_a, name="张三"),
        "village": Archivist.objects.create(unit=world.village_a, name="李四"),
        "b": Archivist.objects.create(unit=world.unit_b, name="王五"),
    }


def test_bureau_staff_list_every_archivist(as_persona, archivists):
    assert ids(as_persona("staff").get(ARCHIVISTS)) == {a.pk for a in archivists.values()}


def test_archivist_lists_archivists_of_own_unit_and_sub_units(as_persona, archivists):
    assert ids(as_persona("archivist_a").get(ARCHIVISTS)) == {archivists["a"].pk, archivists["village"].pk}


def test_archivist_cannot_list_other_units_archivists(as_persona, archivists):
    assert ids(as_persona("archivist_b").get(ARCHIVISTS)) == {archivists["b"].pk}


def test_reader_sees_no_archivists(as_persona, archivists):
    assert ids(as_persona("reader").get(ARCHIVISTS)) == set()


def test_anonymous_cannot_list_archivists(as_persona, archivists):
    assert as_persona("anonymous").get(ARCHIVISTS).status_code == 401


def test_archivist_registers_an_archivist_in_own_unit(world, as_persona):
    response = as_persona("archivist_a").post(ARCHIVISTS, {"unit": world.village_a.pk, "name": "赵六"},
                                              format="json")
    assert response.status_code == 201, response.content


def test_archivist_cannot_register_an_archivist_in_other_unit(world, as_persona):
    body = {"unit": world.unit_b.pk, "name": "赵六"}
    response = as_persona("archivist_a").post(ARCHIVISTS, body, format="json")
    assert response.status_code == 403
    assert not Archivist.objects.filter(name="赵六").exists()


def test_reader_cannot_register_archivists(world, as_persona):
    response = as_persona("reader").post(ARCHIVISTS, {"unit": world.unit_a.pk, "name": "赵六"}, format="json")
    assert response.status_code == 403


def test_archivist_changes_own_units_archivist(as_persona, archivists):
    response = as_persona("archivist_a").patch(f"{ARCHIVISTS}{archivists['a'].pk}/", {"trained": True},
                                               format="json")
    assert response.status_code == 200, response.content


def test_archivist_cannot_move_an_archivist_to_other_unit(world, as_persona, archivists):
    body = {"unit": world.unit_b.pk}
    response = as_persona("archivist_a").patch(f"{ARCHIVISTS}{archivists['a'].pk}/", body, format="json")
    assert response.status_code == 403
    archivists["a"].refresh_from_db()
    assert archivists["a"].unit_id == world.unit_a.pk


def test_archivist_cannot_change_other_units_archivist(as_persona, archivists):
    response = as_persona("archivist_b").patch(f"{ARCHIVISTS}{archivists['a'].pk}/", {"name": "改"},
                                               format="json")
    assert response.status_code == 404
    archivists["a"].refresh_from_db()
    assert archivists["a"].name == "张三"


def test_archivist_cannot_delete_archivists(as_persona, archivists):
    assert as_persona("archivist_a").delete(f"{ARCHIVISTS}{archivists['a'].pk}/").status_code == 403
    assert Archivist.objects.filter(pk=archivists["a"].pk).exists()


def test_bureau_staff_delete_archivists(as_persona, archivists):
    assert as_persona("staff").delete(f"{ARCHIVISTS}{archivists['a'].pk}/").status_code == 204


def test_archivist_leaving_before_starting_is_refused_naming_until(world, as_persona):
    body = {"unit": world.unit_a.pk, "name": "赵六", "since": "2024-05-01", "until": "2024-01-01"}
    response = as_persona("staff").post(ARCHIVISTS, body, format="json")
    assert "until" in error_fields(response)
    assert not Archivist.objects.filter(name="赵六").exists()
