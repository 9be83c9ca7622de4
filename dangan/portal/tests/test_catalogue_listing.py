"""目录公开: bureau staff may publish a controlled item's catalogue entry — title, 档号, creator, year — so
the public can find it and ask to use it. Nothing else about it, and nothing at all about an unpublished
controlled item, reaches the public: not in results, counts, item pages, files or the API."""

import datetime

import pytest

from dangan.access.models import LISTED_FIELDS, CatalogueListing, public_items, published_entry
from dangan.access.testing import attach_pdf, make_controlled, make_public_reader, purpose
from dangan.catalogue.choices import SecurityLevel
from dangan.testing import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    item = make_controlled(
        world.fonds_a,
        listed_by=world.staff,
        title="柳河镇征地补偿安置名册",
        creator="柳河镇人民政府",
        year=1999,
        document_number="柳政发〔1999〕7号",
        date=datetime.date(1999, 6, 18),
        pages=37,
        remarks="备注：涉及个人补偿金额",
    )
    attach_pdf(item, pages=1, name="compensation.pdf")
    return item


@pytest.fixture
def unlisted(world):
    item = make_controlled(world.fonds_a, title="柳河镇信访案件内部处理意见", year=1999)
    attach_pdf(item, pages=1, name="petition.pdf")
    return item


def test_a_published_entry_is_exactly_the_listed_fields(listed):
    assert list(LISTED_FIELDS) == ["reference_code", "title", "creator", "year"]
    assert list(published_entry(listed)) == list(LISTED_FIELDS)


def test_an_opened_items_entry_adds_its_open_metadata_and_place(world):
    opened = make_item(world.fonds_a, document_number="清政发〔2001〕3号")
    entry = published_entry(opened)
    assert {"document_number", "date", "pages", "fonds", "category", "retention"} <= set(entry)
    assert "remarks" not in entry and "full_text" not in entry and "extra" not in entry


def test_the_item_page_of_a_listed_item_shows_only_the_listed_fields_and_no_file(listed, client):
    page = client.get(f"/portal/items/{listed.pk}/").content.decode()
    for shown in (listed.title, listed.reference_code, "柳河镇人民政府", "1999"):
        assert shown in page
    for hidden in (
        "柳政发",
        "1999-06-18",
        "<dd>37</dd>",  # the page count as a field's value: the item's id may contain 37
        "页数",
        "备注",
        listed.fonds.name,
        listed.category.name,
        listed.retention.name,
        "compensation.pdf",
        "在线浏览",
    ):
        assert hidden not in page, hidden
    f = listed.digital_files.get()
    assert client.get(f"/portal/items/{listed.pk}/files/{f.pk}/").status_code == 404
    assert client.get(f"/portal/items/{listed.pk}/files/{f.pk}/pages/1.png").status_code == 404


def test_search_results_show_a_listed_item_by_its_entry_only(listed, client):
    page = client.get("/portal/search/", {"q": "征地补偿"}).content.decode()
    assert listed.title in page and "共 1 件" in page and "控制使用" in page
    assert listed.fonds.name not in page and "柳政发" not in page


def test_an_unlisted_controlled_item_never_appears(unlisted, listed, client):
    for q in ("信访案件", "柳河镇", unlisted.reference_code):
        page = client.get("/portal/search/", {"q": q}).content.decode()
        assert unlisted.title not in page and "petition.pdf" not in page, q
    assert "共 1 件" in client.get("/portal/search/", {"q": "柳河镇"}).content.decode(), "the count too"
    assert "共 0 件" in client.get("/portal/search/", {"q": "信访案件"}).content.decode()
    assert unlisted.title not in client.get("/portal/").content.decode()
    assert client.get(f"/portal/items/{unlisted.pk}/").status_code == 404
    f = unlisted.digital_files.get()
    assert client.get(f"/portal/items/{unlisted.pk}/files/{f.pk}/").status_code == 404
    assert client.get(f"/portal/items/{unlisted.pk}/files/{f.pk}/pages/1.png").status_code == 404


def test_the_api_refuses_a_request_for_an_unlisted_item_and_accepts_a_listed_one(
    unlisted, listed, client_for
):
    client = client_for(make_public_reader())
    body = {"items": [unlisted.pk], "purpose": purpose().pk, "mode": "online"}
    response = client.post("/api/v1/access/requests/", body, content_type="application/json")
    assert response.status_code == 400 and unlisted.title not in response.content.decode()
    body["items"] = [listed.pk]
    response = client.post("/api/v1/access/requests/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "pending"


def test_the_catalogue_api_shows_a_public_reader_no_controlled_item(unlisted, listed, client_for):
    response = client_for(make_public_reader()).get("/api/v1/items/")
    assert response.status_code == 200
    assert unlisted.title not in response.content.decode() and listed.title not in response.content.decode()


def test_only_bureau_staff_publish_entries_and_never_of_secret_items(world):
    item = make_controlled(world.fonds_a)
    secret = make_controlled(world.fonds_a, title="涉密文件", security_level=SecurityLevel.SECRET)
    with pytest.raises(Exception, match="档案局"):
        CatalogueListing.publish([item], world.archivist_a)
    listings = CatalogueListing.publish([item, secret], world.staff)
    assert [listing.item for listing in listings] == [item]
    assert item in public_items() and secret not in public_items()


def test_a_listed_item_is_found_by_its_published_fields_only(listed, client):
    for q in ("安置名册", listed.reference_code, "柳河镇人民政府", "1999"):
        assert listed.title in client.get("/portal/search/", {"q": q}).content.decode(), q
    for q in ("柳政发", "涉及个人补偿金额"):  # its document number and remarks are not published
        assert "共 0 件" in client.get("/portal/search/", {"q": q}).content.decode(), q


def test_bureau_staff_publish_entries_by_reference_code_and_withdraw_them(world, client_for, client):
    item = make_controlled(world.fonds_a, title="城关镇机构改革方案")
    staff = client_for(world.staff)
    assert staff.post("/access/listings/", {"codes": item.reference_code}).status_code == 302
    assert (
        item in public_items()
        and item.title in client.get("/portal/search/", {"q": "机构改革"}).content.decode()
    )
    listing = CatalogueListing.objects.get(item=item)
    assert item.reference_code in staff.get("/access/listings/").content.decode()
    assert staff.post(f"/access/listings/{listing.pk}/withdraw/").status_code == 302
    assert client.get(f"/portal/items/{item.pk}/").status_code == 404


def test_publishing_names_the_codes_it_cannot_find(world, client_for):
    opened = make_item(world.fonds_a)
    page = client_for(world.staff).post(
        "/access/listings/", {"codes": f"NO-SUCH-CODE\n{opened.reference_code}"}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "NO-SUCH-CODE" in text and opened.reference_code in text
    assert not CatalogueListing.objects.exists()


@pytest.mark.parametrize("persona,status", [("archivist_a", 403), ("reader", 403), (None, 302)])
def test_only_bureau_staff_manage_published_entries(world, listed, client_for, persona, status):
    client = client_for(getattr(world, persona) if persona else None)
    listing = CatalogueListing.objects.get()
    assert client.get("/access/listings/").status_code == status
    assert client.post("/access/listings/", {"codes": listed.reference_code}).status_code == status
    assert client.post(f"/access/listings/{listing.pk}/withdraw/").status_code == status
    assert CatalogueListing.objects.filter(pk=listing.pk).exists()
