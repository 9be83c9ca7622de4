"""/api/v1/search: results, facets and clear 4xx answers."""

import pytest
from rest_framework.test import APIClient

from dangan.catalogue.choices import ControlStatus
from dangan.testing import make_item

pytestmark = pytest.mark.django_db
URL = "/api/v1/search"


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_callers_are_refused(sworld):
    assert api(None).get(URL, {"q": "档案"}).status_code in (401, 403)


def test_results_carry_highlights_counts_and_facets(sworld):
    item = make_item(sworld.fonds_a, title="档案工作通知", document_number="区档发〔2023〕1号")
    body = api(sworld.staff).get(URL, {"q": "档案"}).json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["id"] == item.pk and hit["title_highlighted"] == "<mark>档案</mark>工作通知"
    assert hit["snippets"] == []  # 文号 区档发… holds 档 but not 档案
    assert body["facets"]["fonds"] == [{"value": sworld.fonds_a.pk, "label": "A001 城关镇", "count": 1}]


def test_a_reader_finds_only_open_public_items(sworld):
    make_item(sworld.fonds_a, title="开放档案")
    make_item(sworld.fonds_a, title="控制档案", control=ControlStatus.CONTROLLED)
    body = api(sworld.reader).get(URL, {"q": "档案"}).json()
    assert [r["title"] for r in body["results"]] == ["开放档案"]
    assert body["count"] == 1 and body["facets"]["control"] == [
        {"value": "open", "label": "开放", "count": 1}
    ]


def test_facets_can_be_left_out(sworld):
    make_item(sworld.fonds_a, title="档案")
    assert api(sworld.staff).get(URL, {"q": "档案", "facets": "false"}).json()["facets"] == {}


def test_a_bad_query_is_a_400_with_a_message(sworld):
    response = api(sworld.staff).get(URL, {"q": "！？"})
    assert response.status_code == 400 and response.json()["detail"]


def test_a_non_numeric_page_is_a_400(sworld):
    assert api(sworld.staff).get(URL, {"q": "档案", "page": "x"}).status_code == 400
