"""The search page: box, facets with counts, highlighted results, pagination, sort — and who may use it."""

import pytest

from dangan.catalogue.choices import SecurityLevel
from dangan.testing import make_item

pytestmark = pytest.mark.django_db
URL = "/search/"


@pytest.fixture
def items(sworld):
    return [
        make_item(sworld.fonds_a, title="区档案局关于档案工作的通知", year=2021),
        make_item(sworld.fonds_b, title="柳河镇档案移交清单", year=2019),
        make_item(sworld.fonds_a, title="秘密档案", security_level=SecurityLevel.SECRET),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client_for, items):
    response = client_for(None).get(URL, {"q": "档案"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_empty_page_shows_the_search_box(client_for, sworld):
    response = client_for(sworld.staff).get(URL)
    assert response.status_code == 200 and 'name="q"' in response.content.decode()


def test_results_show_highlighted_titles_and_facet_counts(client_for, sworld, items):
    page = client_for(sworld.staff).get(URL, {"q": "档案"}).content.decode()
    assert "找到 2 件" in page  # staff's clearance stops at 限制: the secret item is not counted
    assert "区<mark>档案</mark>局关于<mark>档案</mark>工作的通知" in page
    assert "城关镇" in page and "柳河镇" in page
    assert "秘密档案" not in page


def test_choosing_a_facet_value_filters_the_results(client_for, sworld, items):
    page = client_for(sworld.staff).get(URL, {"q": "档案", "fonds": sworld.fonds_b.pk}).content.decode()
    assert "找到 1 件" in page and "移交清单" in page


def test_year_range_filters_the_results(client_for, sworld, items):
    page = (
        client_for(sworld.staff).get(URL, {"q": "档案", "year_from": 2020, "year_to": 2022}).content.decode()
    )
    assert "找到 1 件" in page and "工作的通知" in page


def test_stored_markup_in_a_title_is_escaped_before_matches_are_marked(client_for, sworld):
    make_item(sworld.fonds_a, title="<script>alert(1)</script>档案")
    page = client_for(sworld.staff).get(URL, {"q": "档案"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>档案</mark>" in page


def test_pagination_and_sort_links_keep_the_query(client_for, sworld):
    for n in range(25):
        make_item(sworld.fonds_a, title=f"防汛{n}")
    response = client_for(sworld.staff).get(URL, {"q": "防汛", "page": 2, "sort": "date"})
    page = response.content.decode()
    assert "第 2 / 2 页" in page and "q=%E9%98%B2%E6%B1%9B" in page
    assert page.count('class="hit"') == 5


def test_each_facet_value_links_to_the_query_with_that_value_chosen(client_for, sworld, items):
    page = client_for(sworld.staff).get(URL, {"q": "档案"}).content.decode()
    assert f"fonds={sworld.fonds_a.pk}" in page and f"fonds={sworld.fonds_b.pk}" in page
    assert "year=2021" in page and "year=2019" in page
