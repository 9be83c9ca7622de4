"""Bad input gives results or a clear message — never a 500 — on the page, the API and every backend."""

import pytest
from rest_framework.test import APIClient

from dangan.search.services import search
from dangan.testing import make_item

pytestmark = pytest.mark.django_db

BAD = {
    "empty": "",
    "only punctuation": "，。！？、；：…—",
    "10,000 characters": "档案" * 5000,
    "fts syntax": '" * : ( ) AND OR NEAR "档案" NEAR(a b) title:* -x +y ^2 ~',
    "sql injection": "'; DROP TABLE catalogue_item; -- \" OR 1=1 --",
    "unpaired quotes": '"档案 工作',
    "control characters": "档\x00案\x1b[31m\x07",
    "mixed widths": "ＡＢＣ abc １２３ 123",
    "tsquery syntax": "a & b | !c <-> d:* 'x'",
    "lone surrogate-like and private use": "\ue000\uf8ff档案",
    "field prefix without a term": "题名: 责任者:",
}


@pytest.fixture
def item(sworld):
    return make_item(sworld.fonds_a, title="区档案局工作通知 ABC-123", remarks="'; DROP TABLE")


@pytest.mark.parametrize("raw", BAD.values(), ids=BAD.keys())
def test_the_service_answers_results_or_a_message(item, sworld, raw):
    results = search(sworld.admin, raw)
    assert results.error or results.total >= 0
    if results.error:
        assert results.hits == []


@pytest.mark.parametrize("raw", BAD.values(), ids=BAD.keys())
def test_the_page_and_the_api_never_fail(item, sworld, client_for, raw):
    assert client_for(sworld.admin).get("/search/", {"q": raw}).status_code == 200
    client = APIClient()
    client.force_authenticate(sworld.admin)
    assert client.get("/api/v1/search", {"q": raw}).status_code in (200, 400)


def test_sql_injection_text_is_searched_as_text(item, sworld):
    assert search(sworld.admin, "DROP TABLE").total == 1


def test_control_characters_inside_a_word_are_ignored(item, sworld):
    assert search(sworld.admin, "档\x00案局").total == 1


def test_full_width_query_finds_half_width_text(item, sworld):
    assert search(sworld.admin, "ＡＢＣ－１２３").total == 1


def test_empty_and_punctuation_only_queries_explain_what_to_type(sworld):
    assert search(sworld.admin, "").error == "请输入检索词"
    assert "文字" in search(sworld.admin, "。。。").error


def test_filter_parameters_with_bad_values_are_ignored(item, sworld, client_for):
    params = {
        "q": "档案",
        "fonds": "x",
        "year_from": "9" * 40,
        "category": "'1",
        "has_files": "maybe",
        "page": "-3",
    }
    assert client_for(sworld.admin).get("/search/", params).status_code == 200
    assert search(sworld.admin, "档案", params, page="abc").total == 1
