"""The portal never shows a non-open item, field, count or file."""

import pytest

from dangan.access.models import AccessRequest
from dangan.access.testing import attach_pdf, make_controlled, make_public_reader, purpose
from dangan.catalogue.choices import RecordStatus, SecurityLevel
from dangan.portal.models import Notice
from dangan.testing import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def holdings(world):
    opened = make_item(world.fonds_a, title="公开的城建规划通知", remarks="内部备注不得公开")
    attach_pdf(opened, pages=1, name="open.pdf")
    listed = make_controlled(world.fonds_a, listed_by=world.staff, title="城建征地补偿名册")
    attach_pdf(listed, pages=1, name="listed.pdf")
    listed.full_text = "张三补偿金额八万元"
    listed.save()
    hidden = make_controlled(world.fonds_a, title="城建内部会议纪要")
    secret = make_item(world.fonds_a, title="城建秘密文件", security_level=SecurityLevel.SECRET)
    draft = make_item(world.fonds_b, title="城建草稿", status=RecordStatus.DRAFT)
    return {"opened": opened, "listed": listed, "hidden": [hidden, secret, draft]}


def test_search_finds_only_public_items_and_counts_only_them(holdings, client):
    page = client.get("/portal/search/", {"q": "城建"}).content.decode()
    assert holdings["opened"].title in page and holdings["listed"].title in page
    for item in holdings["hidden"]:
        assert item.title not in page
    assert "共 2 件" in page


def test_controlled_items_are_not_found_by_their_text(holdings, client):
    page = client.get("/portal/search/", {"q": "补偿金额"}).content.decode()
    assert holdings["listed"].title not in page and "共 0 件" in page


def test_item_pages_show_only_open_metadata(holdings, client):
    page = client.get(f"/portal/items/{holdings['opened'].pk}/").content.decode()
    assert holdings["opened"].reference_code in page and "open.pdf" in page
    assert "内部备注" not in page
    listed = client.get(f"/portal/items/{holdings['listed'].pk}/").content.decode()
    assert "listed.pdf" not in listed and "控制使用" in listed and "张三补偿" not in listed


def test_non_public_items_and_their_files_are_404(holdings, client):
    for item in holdings["hidden"]:
        assert client.get(f"/portal/items/{item.pk}/").status_code == 404
    listed = holdings["listed"]
    f = listed.digital_files.get()
    assert client.get(f"/portal/items/{listed.pk}/files/{f.pk}/").status_code == 404
    assert client.get(f"/portal/items/{listed.pk}/files/{f.pk}/pages/1.png").status_code == 404
    opened = holdings["opened"]
    assert client.get(f"/portal/items/{opened.pk}/files/{f.pk}/").status_code == 404, "a file of another item"


def test_open_items_published_files_are_shown_as_pages(holdings, client):
    opened = holdings["opened"]
    f = opened.digital_files.get()
    assert client.get(f"/portal/items/{opened.pk}/files/{f.pk}/").status_code == 200
    response = client.get(f"/portal/items/{opened.pk}/files/{f.pk}/pages/1.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_home_lists_open_items_and_published_notices_only(world, holdings, client):
    Notice.objects.create(title="开放档案目录更新", body="正文", published=True, created_by=world.staff)
    Notice.objects.create(title="尚未发布的草稿通知", body="正文", published=False, created_by=world.staff)
    page = client.get("/portal/").content.decode()
    assert "开放档案目录更新" in page and "尚未发布" not in page
    assert holdings["opened"].title in page and holdings["listed"].title not in page
    draft = Notice.objects.get(published=False)
    assert client.get(f"/portal/notices/{draft.pk}/").status_code == 404


def test_bad_queries_explain_themselves(client):
    page = client.get("/portal/search/", {"q": "!!!"}).content.decode()
    assert "检索词" in page
    assert client.get("/portal/search/", {"q": "x" * 5000}).status_code == 200


def test_public_reader_requests_a_listed_item_through_the_portal(world, holdings, client_for):
    reader = make_public_reader()
    client = client_for(reader)
    listed = holdings["listed"]
    assert listed.title in client.get(f"/portal/requests/new/?items={listed.pk}").content.decode()
    response = client.post(
        "/portal/requests/new/",
        {"items": str(listed.pk), "purpose": purpose().pk, "mode": "online", "note": "研究征地史"},
    )
    req = AccessRequest.objects.get()
    assert response.status_code == 302 and req.requester == reader and req.status == "pending"
    assert "待审批" in client.get(f"/portal/requests/{req.pk}/").content.decode()


def test_requesting_hidden_or_missing_items_fails_without_telling_which(world, holdings, client_for):
    client = client_for(make_public_reader())
    for pk in [holdings["hidden"][0].pk, holdings["hidden"][1].pk, 987654, "abc", "99999999999999999999999"]:
        page = client.post(
            "/portal/requests/new/", {"items": str(pk), "purpose": purpose().pk, "mode": "online"}
        ).content.decode()
        assert "不存在或您无权申请" in page
        for item in holdings["hidden"]:
            assert item.title not in page
    assert not AccessRequest.objects.exists()
