"""The unit register screens: everybody reads it, only the bureau reshapes it; archivists keep their own."""

import pytest

from dangan.catalogue.choices import FondsStatus
from dangan.core.models import AuditEntry
from dangan.testing import make_fonds, make_unit
from dangan.units.choices import UnitStatus
from dangan.units.models import Archivist, Group, Unit, UnitEvent

pytestmark = pytest.mark.django_db

ALL_PERSONAS = ["admin", "staff", "archivist_a", "archivist_b", "reader"]
NOT_BUREAU = ["archivist_a", "archivist_b", "reader"]


def unit_data(**changes):
    data = {"code": "TOWNC", "name": "河口镇", "short_name": "", "unit_type": "town", "parent": "",
            "group": "", "address": "", "notes": ""}
    data.update(changes)
    return data


def merge_data(world, **changes):
    data = {"units": [world.unit_b.pk], "successor": world.unit_a.pk, "date": "2019-12-31",
            "note": "区划调整：柳河镇并入城关镇"}
    data.update(changes)
    return data


@pytest.mark.parametrize("url", ["/units/", "/units/list/", "/units/add/", "/units/merge/", "/units/groups/",
                                 "/units/archivists/", "/units/archivists/add/"])
def test_anonymous_is_sent_to_login(world, client_for, url):
    assert client_for(None).get(url)["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_unit_tree_shows_every_unit_to_everyone(world, client_for, persona):
    response = client_for(getattr(world, persona)).get("/units/")
    assert response.status_code == 200
    assert [unit.code for unit, _depth in response.context["rows"]] == ["BUREAU", "TOWNA", "VILA", "TOWNB"]


def test_unit_tree_offers_add_and_merge_to_the_bureau_only(world, client_for):
    assert 'href="/units/merge/"' in client_for(world.staff).get("/units/").content.decode()
    assert 'href="/units/merge/"' not in client_for(world.archivist_a).get("/units/").content.decode()


def test_unit_list_filters_and_links_to_the_add_page(world, client_for):
    response = client_for(world.staff).get("/units/list/?unit_type=town")
    assert {u.code for u in response.context["page"]} == {"TOWNA", "TOWNB"}
    assert 'href="/units/add/"' in response.content.decode()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_unit_page_opens_for_everyone(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(world.village_a.get_absolute_url())
    assert response.status_code == 200
    assert "东关村" in response.content.decode() and "城关镇" in response.content.decode()


def test_unit_page_lists_only_the_fonds_the_user_may_see(world, client_for):
    assert list(client_for(world.archivist_a).get(world.unit_a.get_absolute_url()).context["fonds_list"]) == [
        world.fonds_a]
    assert client_for(world.archivist_b).get(world.unit_a.get_absolute_url()).context["fonds_list"] == []


def test_unit_page_lists_fonds_held_for_a_merged_unit(world, client_for):
    client_for(world.staff).post("/units/merge/", merge_data(world))
    page = client_for(world.archivist_a).get(world.unit_a.get_absolute_url())
    assert world.fonds_b in page.context["fonds_list"]
    assert "代为保管" in page.content.decode()


# Add and change -----------------------------------------------------------------------------------------
def test_staff_creates_unit_under_the_bureau(world, client_for):
    response = client_for(world.staff).post("/units/add/", unit_data(parent=world.bureau.pk))
    unit = Unit.objects.get(code="TOWNC")
    assert response["Location"] == unit.get_absolute_url()
    assert unit.parent == world.bureau


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_creates_units(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/units/add/").status_code == 403
    assert client.post("/units/add/", unit_data()).status_code == 403
    assert not Unit.objects.filter(code="TOWNC").exists()
    assert AuditEntry.objects.filter(action="denied", object_type="units.unit").exists()


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_changes_or_deletes_units(world, client_for, persona):
    client = client_for(getattr(world, persona))
    url = f"/units/{world.unit_a.pk}/"
    assert client.get(url + "edit/").status_code == 403
    assert client.post(url + "edit/", unit_data(code="TOWNA", name="改名")).status_code == 403
    assert client.post(url + "delete/").status_code == 403
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "城关镇"


@pytest.mark.parametrize("changes, field", [
    ({"code": "TOWN-C"}, "code"),
    ({"code": "TOWNA"}, "code"),
    ({"name": ""}, "name"),
    ({"unit_type": "planet"}, "unit_type"),
    ({"name": "镇" * 201}, "name"),
])
def test_bad_unit_input_is_shown_and_nothing_saved(world, client_for, changes, field):
    count = Unit.objects.count()
    response = client_for(world.staff).post("/units/add/", unit_data(**changes))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert 'id="field-' + field + '"' in response.content.decode()
    assert Unit.objects.count() == count


def test_unit_cannot_become_its_own_ancestor(world, client_for):
    response = client_for(world.staff).post(f"/units/{world.unit_a.pk}/edit/",
                                            unit_data(code="TOWNA", name="城关镇", parent=world.village_a.pk))
    assert response.status_code == 400 and "parent" in response.context["form"].errors
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent == world.bureau


def test_staff_deletes_unused_unit_and_returns_to_the_tree(world, client_for):
    unit = make_unit("临时指挥部", "temporary", parent=world.bureau)
    response = client_for(world.staff).post(f"/units/{unit.pk}/delete/")
    assert response["Location"] == "/units/"
    assert not Unit.objects.filter(pk=unit.pk).exists()


def test_unit_with_fonds_is_kept_and_the_user_is_told(world, client_for):
    response = client_for(world.staff).post(f"/units/{world.unit_b.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == world.unit_b.get_absolute_url()
    assert "不能删除" in response.content.decode()
    assert Unit.objects.filter(pk=world.unit_b.pk).exists()


# Merge --------------------------------------------------------------------------------------------------
def test_staff_merges_a_unit_with_a_date_and_sees_the_successor(world, client_for):
    client = client_for(world.staff)
    assert client.get("/units/merge/").status_code == 200
    response = client.post("/units/merge/", merge_data(world), follow=True)
    assert response.redirect_chain[-1][0] == world.unit_a.get_absolute_url()
    content = response.content.decode()
    assert "柳河镇" in content and "2019-12-31" in content
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.MERGED and world.unit_b.successor == world.unit_a
    assert str(world.unit_b.status_date) == "2019-12-31"
    world.fonds_b.refresh_from_db()
    assert world.fonds_b.status == FondsStatus.CLOSED and world.fonds_b.custodian == world.unit_a
    merged_page = client.get(world.unit_b.get_absolute_url()).content.decode()
    assert "已合并" in merged_page and world.unit_a.get_absolute_url() in merged_page


def test_merge_form_is_preset_from_the_successors_page(world, client_for):
    response = client_for(world.staff).get(f"/units/merge/?successor={world.unit_a.pk}")
    assert str(response.context["form"]["successor"].value()) == str(world.unit_a.pk)


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_merges_units(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/units/merge/").status_code == 403
    assert client.post("/units/merge/", merge_data(world)).status_code == 403
    world.unit_b.refresh_from_db()
    assert world.unit_b.status == UnitStatus.ACTIVE
    denied = AuditEntry.objects.filter(action="denied", object_type="units.unit", message="denied: merge")
    assert denied.exists()


@pytest.mark.parametrize("changes, field", [
    ({"date": "2019-02-30"}, "date"),
    ({"date": ""}, "date"),
    ({"units": []}, "units"),
    ({"successor": ""}, "successor"),
])
def test_bad_merge_input_is_shown_and_nothing_merged(world, client_for, changes, field):
    response = client_for(world.staff).post("/units/merge/", merge_data(world, **changes))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not UnitEvent.objects.exists()


def test_unit_cannot_be_merged_into_itself(world, client_for):
    response = client_for(world.staff).post("/units/merge/", merge_data(world, successor=world.unit_b.pk))
    assert response.status_code == 400 and "units" in response.context["form"].errors
    assert "单位不能合并到自身" in response.content.decode()
    assert not UnitEvent.objects.exists()


# Archivists ---------------------------------------------------------------------------------------------
def archivist_data(unit, **changes):
    data = {"unit": unit.pk, "name": "王小梅", "employment": "part_time", "position": "党政办干事",
            "phone": "13800000000", "email": "", "since": "2023-03-01", "until": "", "trained": "on"}
    data.update(changes)
    return data


@pytest.fixture
def archivists(world):
    return {"a": Archivist.objects.create(unit=world.unit_a, name="张兰"),
            "village": Archivist.objects.create(unit=world.village_a, name="李村"),
            "b": Archivist.objects.create(unit=world.unit_b, name="赵柳")}


@pytest.mark.parametrize("persona, visible", [
    ("staff", {"张兰", "李村", "赵柳"}),
    ("archivist_a", {"张兰", "李村"}),
    ("archivist_b", {"赵柳"}),
    ("reader", set()),
])
def test_archivist_list_shows_only_permitted_rows(world, archivists, client_for, persona, visible):
    response = client_for(getattr(world, persona)).get("/units/archivists/")
    assert {a.name for a in response.context["page"]} == visible
    assert ("赵柳" in response.content.decode()) == ("赵柳" in visible)


def test_archivist_registers_a_colleague_for_own_unit(world, client_for):
    client = client_for(world.archivist_a)
    form = client.get(f"/units/archivists/add/?unit={world.village_a.pk}").context["form"]
    assert str(form["unit"].value()) == str(world.village_a.pk)
    response = client.post("/units/archivists/add/", archivist_data(world.village_a))
    assert response["Location"] == world.village_a.get_absolute_url()
    assert Archivist.objects.get(name="王小梅").unit == world.village_a


def test_archivist_cannot_register_an_archivist_for_another_unit(world, client_for):
    client = client_for(world.archivist_a)
    form = client.get(f"/units/archivists/add/?unit={world.unit_b.pk}").context["form"]
    assert str(form["unit"].value()) == str(world.unit_a.pk)
    response = client.post("/units/archivists/add/", archivist_data(world.unit_b))
    assert response.status_code == 400 and "unit" in response.context["form"].errors
    assert not Archivist.objects.filter(name="王小梅").exists()


def test_archivist_until_before_since_is_refused(world, client_for):
    response = client_for(world.archivist_a).post("/units/archivists/add/",
                                                  archivist_data(world.unit_a, until="2020-01-01"))
    assert response.status_code == 400 and "until" in response.context["form"].errors
    assert not Archivist.objects.exists()


def test_archivist_b_gets_404_for_unit_a_archivist(world, archivists, client_for):
    archivist = archivists["a"]
    client = client_for(world.archivist_b)
    assert client.get(f"/units/archivists/{archivist.pk}/edit/").status_code == 404
    assert client.post(f"/units/archivists/{archivist.pk}/edit/",
                       archivist_data(world.unit_b, name="篡改")).status_code == 404
    archivist.refresh_from_db()
    assert archivist.name == "张兰" and archivist.unit == world.unit_a
    assert AuditEntry.objects.filter(action="denied", object_type="units.archivist",
                                     object_id=str(archivist.pk)).exists()


def test_reader_cannot_register_archivists(world, client_for):
    client = client_for(world.reader)
    assert client.get("/units/archivists/add/").status_code == 403
    assert client.post("/units/archivists/add/", archivist_data(world.unit_a)).status_code == 403
    assert not Archivist.objects.exists()


def test_unit_page_offers_registering_archivists_only_to_those_allowed(world, client_for):
    link = f"/units/archivists/add/?unit={world.unit_a.pk}"
    assert link in client_for(world.archivist_a).get(world.unit_a.get_absolute_url()).content.decode()
    assert link not in client_for(world.archivist_b).get(world.unit_a.get_absolute_url()).content.decode()
    assert link not in client_for(world.reader).get(world.unit_a.get_absolute_url()).content.decode()


def test_staff_deletes_archivist_and_returns_to_the_list(world, archivists, client_for):
    archivist = archivists["b"]
    assert client_for(world.archivist_b).post(f"/units/archivists/{archivist.pk}/delete/").status_code == 403
    response = client_for(world.staff).post(f"/units/archivists/{archivist.pk}/delete/")
    assert response["Location"] == "/units/archivists/"
    assert not Archivist.objects.filter(pk=archivist.pk).exists()


# Groups -------------------------------------------------------------------------------------------------
def test_staff_creates_group_and_lands_on_its_page(world, client_for):
    client = client_for(world.staff)
    response = client.post("/units/groups/add/", {"name": "第一协作组", "description": "城关、柳河互查"})
    group = Group.objects.get()
    assert response["Location"] == f"/units/groups/{group.pk}/"
    assert f'href="/units/groups/{group.pk}/"' in client.get("/units/groups/").content.decode()


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_manages_groups(world, client_for, persona):
    group = Group.objects.create(name="第一协作组")
    client = client_for(getattr(world, persona))
    assert client.get(f"/units/groups/{group.pk}/").status_code == 200
    assert client.post("/units/groups/add/", {"name": "新组"}).status_code == 403
    assert client.post(f"/units/groups/{group.pk}/edit/", {"name": "改名"}).status_code == 403
    group.refresh_from_db()
    assert group.name == "第一协作组" and Group.objects.count() == 1


def test_fonds_for_a_village_appears_on_the_village_page(world, client_for):
    fonds = make_fonds(world.village_a, "V001", name="东关村")
    page = client_for(world.archivist_a).get(world.village_a.get_absolute_url())
    assert fonds in page.context["fonds_list"]
