"""The fonds (全宗) screens: archivists see their own, only the bureau creates and changes them."""

import pytest

from dangan.catalogue.models import Fonds
from dangan.core.models import AuditEntry
from dangan.testing import make_fonds, make_item

pytestmark = pytest.mark.django_db

ADD = "/catalogue/fonds/add/"


def fonds_data(world, **changes):
    data = {"number": "C001", "name": "新村档案", "unit": world.village_a.pk, "custodian": world.village_a.pk,
            "start_year": "2020", "end_year": "", "status": "open", "description": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("persona, visible", [
    ("staff", {"A001", "B001"}),
    ("archivist_a", {"A001"}),
    ("archivist_b", {"B001"}),
    ("reader", {"A001", "B001"}),
])
def test_fonds_list_shows_only_permitted_rows(world, client_for, persona, visible):
    response = client_for(getattr(world, persona)).get("/catalogue/fonds/")
    assert response.status_code == 200
    assert {f.number for f in response.context["page"]} == visible
    content = response.content.decode()
    assert (">B001<" in content) == ("B001" in visible)


def test_anonymous_is_sent_to_login_from_fonds_pages(world, client_for):
    pk = world.fonds_a.pk
    for url in ("/catalogue/fonds/", ADD, f"/catalogue/fonds/{pk}/", f"/catalogue/fonds/{pk}/edit/",
                f"/catalogue/fonds/{pk}/delete/"):
        assert client_for(None).get(url)["Location"].startswith("/login/"), url


def test_archivist_sees_fonds_of_a_sub_unit(world, client_for):
    village = make_fonds(world.village_a, "V001", name="东关村")
    assert client_for(world.archivist_a).get(village.get_absolute_url()).status_code == 200
    assert client_for(world.archivist_b).get(village.get_absolute_url()).status_code == 404


def test_archivist_b_gets_404_for_unit_a_fonds_and_it_is_audited(world, client_for):
    response = client_for(world.archivist_b).get(world.fonds_a.get_absolute_url())
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="catalogue.fonds",
                                     object_id=str(world.fonds_a.pk), actor_name="archivist_b").exists()


def test_fonds_page_counts_only_visible_items(world, client_for):
    make_item(world.fonds_a, title="开放")
    make_item(world.fonds_a, title="控制", control="controlled")
    assert client_for(world.archivist_a).get(world.fonds_a.get_absolute_url()).context["item_count"] == 2
    assert client_for(world.reader).get(world.fonds_a.get_absolute_url()).context["item_count"] == 1


def test_fonds_page_offers_filing_to_its_archivist_only(world, client_for):
    link = f"/catalogue/items/add/?fonds={world.fonds_a.pk}"
    assert link in client_for(world.archivist_a).get(world.fonds_a.get_absolute_url()).content.decode()
    assert link not in client_for(world.reader).get(world.fonds_a.get_absolute_url()).content.decode()


def test_staff_creates_fonds_for_a_village(world, client_for):
    client = client_for(world.staff)
    assert 'href="/catalogue/fonds/add/"' in client.get("/catalogue/fonds/").content.decode()
    response = client.post(ADD, fonds_data(world))
    fonds = Fonds.objects.get(number="C001")
    assert response["Location"] == fonds.get_absolute_url()
    assert fonds.unit == world.village_a


@pytest.mark.parametrize("persona", ["archivist_a", "reader"])
def test_only_the_bureau_creates_fonds(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert 'href="/catalogue/fonds/add/"' not in client.get("/catalogue/fonds/").content.decode()
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, fonds_data(world)).status_code == 403
    assert not Fonds.objects.filter(number="C001").exists()


def test_archivist_cannot_change_own_fonds(world, client_for):
    url = f"/catalogue/fonds/{world.fonds_a.pk}/edit/"
    client = client_for(world.archivist_a)
    assert client.get(url).status_code == 403
    assert client.post(url, fonds_data(world, number="A001", name="改名")).status_code == 403
    world.fonds_a.refresh_from_db()
    assert world.fonds_a.name == "城关镇"


def test_archivist_b_gets_404_for_editing_unit_a_fonds(world, client_for):
    assert client_for(world.archivist_b).get(f"/catalogue/fonds/{world.fonds_a.pk}/edit/").status_code == 404


def test_staff_changes_fonds(world, client_for):
    url = f"/catalogue/fonds/{world.fonds_a.pk}/edit/"
    response = client_for(world.staff).post(url, fonds_data(world, number="A001", name="城关镇人民政府",
                                                            unit=world.unit_a.pk, custodian=world.unit_a.pk))
    assert response.status_code == 302
    world.fonds_a.refresh_from_db()
    assert world.fonds_a.name == "城关镇人民政府"


@pytest.mark.parametrize("changes, field", [
    ({"number": "a-1"}, "number"),
    ({"number": "B001"}, "number"),
    ({"start_year": "2020", "end_year": "2019"}, "end_year"),
    ({"start_year": "abc"}, "start_year"),
    ({"name": ""}, "name"),
    ({"unit": ""}, "unit"),
])
def test_bad_fonds_input_is_shown_and_nothing_saved(world, client_for, changes, field):
    response = client_for(world.staff).post(ADD, fonds_data(world, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="field has-error" id="field-' + field + '"' in response.content.decode()
    assert Fonds.objects.count() == 2


def test_staff_deletes_empty_fonds_and_returns_to_the_list(world, client_for):
    fonds = make_fonds(world.village_a, "V009")
    response = client_for(world.staff).post(f"/catalogue/fonds/{fonds.pk}/delete/")
    assert response["Location"] == "/catalogue/fonds/"
    assert not Fonds.objects.filter(pk=fonds.pk).exists()


def test_fonds_with_items_is_kept_and_the_user_is_told(world, client_for):
    make_item(world.fonds_a)
    response = client_for(world.staff).post(f"/catalogue/fonds/{world.fonds_a.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == world.fonds_a.get_absolute_url()
    assert "不能删除" in response.content.decode()
    assert Fonds.objects.filter(pk=world.fonds_a.pk).exists()


def test_archivist_cannot_delete_fonds(world, client_for):
    url = f"/catalogue/fonds/{world.fonds_a.pk}/delete/"
    assert client_for(world.archivist_a).post(url).status_code == 403
    assert Fonds.objects.filter(pk=world.fonds_a.pk).exists()
