"""The volume (案卷) screens: scope, creating a volume and items inside it, protected deletes."""

import pytest

from dangan.catalogue.choices import ControlStatus, FilingLevel
from dangan.catalogue.models import Item, Volume
from dangan.core.models import AuditEntry
from dangan.testing import make_category, make_item, make_volume

pytestmark = pytest.mark.django_db

ADD = "/catalogue/volumes/add/"


@pytest.fixture
def kj(world):
    return make_category("KJ", "科技", filing_level=FilingLevel.VOLUME)


@pytest.fixture
def volumes(world, kj):
    return {
        "a": make_volume(world.fonds_a, category=kj, title="城关镇竣工图", control=ControlStatus.OPEN),
        "a_controlled": make_volume(world.fonds_a, category=kj, title="城关镇设计图"),
        "b": make_volume(world.fonds_b, category=kj, title="柳河镇竣工图", control=ControlStatus.OPEN),
    }


def volume_data(world, kj, **changes):
    data = {"fonds": world.fonds_a.pk, "category": kj.pk, "year": "2022", "retention": world.retention.pk,
            "org_code": "", "title": "城关镇综合楼工程竣工图", "creator": "城关镇",
            "start_date": "2022-01-05",
            "end_date": "2022-11-30", "pages": "120", "security_level": "public", "control": "controlled",
            "status": "filed", "remarks": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("persona, visible", [
    ("staff", {"a", "a_controlled", "b"}),
    ("archivist_a", {"a", "a_controlled"}),
    ("archivist_b", {"b"}),
    ("reader", {"a", "b"}),
])
def test_volume_list_shows_only_permitted_rows(world, volumes, client_for, persona, visible):
    response = client_for(getattr(world, persona)).get("/catalogue/volumes/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(visible)
    content = response.content.decode()
    for key, volume in volumes.items():
        assert (volume.title in content) == (key in visible), key


def test_anonymous_is_sent_to_login_from_volume_pages(world, volumes, client_for):
    volume = volumes["a"]
    for url in ("/catalogue/volumes/", ADD, f"/catalogue/volumes/{volume.pk}/",
                f"/catalogue/volumes/{volume.pk}/edit/", f"/catalogue/volumes/{volume.pk}/delete/"):
        assert client_for(None).get(url)["Location"].startswith("/login/"), url


def test_archivist_b_gets_404_for_unit_a_volume_and_it_is_audited(world, volumes, client_for):
    volume = volumes["a"]
    assert client_for(world.archivist_b).get(f"/catalogue/volumes/{volume.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="catalogue.volume",
                                     object_id=str(volume.pk)).exists()


def test_reader_gets_404_for_controlled_volume(world, volumes, client_for):
    url = volumes["a_controlled"].get_absolute_url()
    assert client_for(world.reader).get(url).status_code == 404


def test_archivist_creates_volume_with_reference_code(world, kj, client_for):
    response = client_for(world.archivist_a).post(ADD, volume_data(world, kj), follow=True)
    volume = Volume.objects.get()
    assert volume.reference_code == "A001-KJ·2022-Y-0001"
    assert "A001-KJ·2022-Y-0001" in response.content.decode()


def test_volume_form_refuses_item_filed_category(world, kj, client_for):
    response = client_for(world.archivist_a).post(ADD, volume_data(world, kj, category=world.category.pk))
    assert response.status_code == 400 and "category" in response.context["form"].errors
    assert not Volume.objects.exists()


def test_volume_end_date_before_start_date_is_refused(world, kj, client_for):
    response = client_for(world.archivist_a).post(ADD, volume_data(world, kj, end_date="2021-01-01"))
    assert response.status_code == 400 and "end_date" in response.context["form"].errors
    assert not Volume.objects.exists()


def test_archivist_cannot_create_volume_in_another_units_fonds(world, kj, client_for):
    response = client_for(world.archivist_a).post(ADD, volume_data(world, kj, fonds=world.fonds_b.pk))
    assert response.status_code == 400 and "fonds" in response.context["form"].errors
    assert not Volume.objects.exists()


def test_reader_cannot_create_volume(world, kj, client_for):
    assert client_for(world.reader).get(ADD).status_code == 403
    assert client_for(world.reader).post(ADD, volume_data(world, kj)).status_code == 403
    assert not Volume.objects.exists()


def test_archivist_adds_item_into_own_volume(world, kj, volumes, client_for):
    volume = volumes["a"]
    page = client_for(world.archivist_a).get(volume.get_absolute_url()).content.decode()
    assert f"/catalogue/items/add/?volume={volume.pk}" in page
    data = {"fonds": world.fonds_a.pk, "category": kj.pk, "volume": volume.pk, "year": "", "retention": "",
            "org_code": "", "title": "一层平面图", "security_level": "public", "control": "open",
            "status": "filed"}
    response = client_for(world.archivist_a).post("/catalogue/items/add/", data, follow=True)
    item = Item.objects.get()
    assert item.reference_code == f"{volume.reference_code}-001"
    assert item.year == volume.year and item.retention == volume.retention
    assert item.reference_code in response.content.decode()
    assert "一层平面图" in client_for(world.archivist_a).get(volume.get_absolute_url()).content.decode()


def test_archivist_b_cannot_put_an_item_into_unit_a_volume(world, kj, volumes, client_for):
    data = {"fonds": world.fonds_b.pk, "category": kj.pk, "volume": volumes["a"].pk, "title": "混入",
            "security_level": "public", "control": "open", "status": "filed"}
    response = client_for(world.archivist_b).post("/catalogue/items/add/", data)
    assert response.status_code == 400 and "volume" in response.context["form"].errors
    assert not Item.objects.exists()


def test_archivist_b_cannot_edit_or_delete_unit_a_volume(world, kj, volumes, client_for):
    volume = volumes["a"]
    client = client_for(world.archivist_b)
    assert client.get(f"/catalogue/volumes/{volume.pk}/edit/").status_code == 404
    assert client.post(f"/catalogue/volumes/{volume.pk}/edit/",
                       volume_data(world, kj, fonds=world.fonds_b.pk, title="篡改")).status_code == 404
    assert client.post(f"/catalogue/volumes/{volume.pk}/delete/").status_code == 404
    volume.refresh_from_db()
    assert volume.title == "城关镇竣工图"


def test_volume_with_items_is_not_deleted_and_the_user_is_told(world, kj, volumes, client_for):
    volume = volumes["a"]
    make_item(world.fonds_a, category=kj, volume=volume, title="卷内文件")
    response = client_for(world.archivist_a).post(f"/catalogue/volumes/{volume.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == volume.get_absolute_url()
    assert "不能删除" in response.content.decode()
    assert Volume.objects.filter(pk=volume.pk).exists()


def test_empty_volume_is_deleted_and_the_user_returns_to_the_list(world, volumes, client_for):
    volume = volumes["a"]
    response = client_for(world.archivist_a).post(f"/catalogue/volumes/{volume.pk}/delete/")
    assert response["Location"] == "/catalogue/volumes/"
    assert not Volume.objects.filter(pk=volume.pk).exists()
