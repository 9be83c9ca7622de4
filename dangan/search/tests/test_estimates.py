"""PostgreSQL counts a very large match on a fixed sixteenth of the items and says the counts are estimates
(约); a smaller match is counted exactly; the page is the same whichever way the engine reads it."""

import datetime

import pytest

from dangan.search.backends import get_backend
from dangan.search.backends import postgres as pg
from dangan.search.models import SearchSample
from dangan.search.services import search
from dangan.testing import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def pworld(backend_name, sworld):
    if backend_name != "postgres":
        pytest.skip("estimates are made by the PostgreSQL backend only")
    return sworld


@pytest.fixture
def many(pworld):
    """Enough items that some fall in the sample (one in sixteen, by item id)."""
    items = [
        make_item(pworld.fonds_a, title=f"防汛通知{n}", date=datetime.date(2000 + n % 20, 1 + n % 12, 1))
        for n in range(64)
    ]
    assert any(pg.in_sample(item.pk) for item in items)
    return items


def test_the_sample_holds_exactly_the_sampled_items(many):
    sampled = next(item for item in many if pg.in_sample(item.pk))
    expected = {item.pk for item in many if pg.in_sample(item.pk)}
    assert set(SearchSample.objects.values_list("item_id", flat=True)) == expected
    expected.remove(sampled.pk)
    sampled.delete()
    assert set(SearchSample.objects.values_list("item_id", flat=True)) == expected


def test_a_small_match_is_counted_exactly(pworld, many):
    results = search(pworld.admin, "防汛通知")
    assert results.total == 64 and not results.approximate


def test_a_match_above_the_limit_is_estimated_from_the_sample(pworld, many, monkeypatch):
    monkeypatch.setattr(pg, "EXACT_UP_TO", 0)
    sampled = sum(pg.in_sample(item.pk) for item in many)
    results = search(pworld.admin, "防汛通知")
    assert results.approximate
    assert results.total == pg.about(sampled * pg.SAMPLE_RATE)
    assert sum(v.count for v in results.facets["category"]) == pg.about(sampled * pg.SAMPLE_RATE)


def test_the_page_and_the_api_say_an_estimate_is_approximate(pworld, many, client_for, monkeypatch):
    monkeypatch.setattr(pg, "EXACT_UP_TO", 0)
    page = client_for(pworld.admin).get("/search/", {"q": "防汛通知"}).content.decode()
    assert "找到约" in page
    data = client_for(pworld.admin).get("/api/v1/search", {"q": "防汛通知"}).json()
    assert data["count_approximate"] is True


def page_ids(user, sort):
    return [
        [hit.item.pk for hit in search(user, "防汛通知", page=p, per_page=10, sort=sort).hits]
        for p in range(1, 8)
    ]


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_every_way_of_reading_gives_the_same_pages(pworld, many, monkeypatch, sort):
    make_item(pworld.fonds_a, title="正文", full_text="防汛通知", date=datetime.date(2024, 1, 1))
    exact = page_ids(pworld.admin, sort)
    monkeypatch.setattr(pg, "EXACT_UP_TO", 0)  # the estimating path, which chooses how to read a page
    for walk in (True, False):
        monkeypatch.setattr(pg.Expected, "walk", lambda self, matches, wanted=0, walk=walk: walk)
        assert page_ids(pworld.admin, sort) == exact


def test_the_index_size_counts_the_sample(pworld, many):
    assert get_backend().size_bytes() > 0


def test_a_search_inside_a_transaction_leaves_the_planner_settings_as_they_were(pworld, many, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(pg, "EXACT_UP_TO", 0)  # the path that sets them all
    search(pworld.admin, "防汛通知")
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        indexscan = cursor.fetchone()[0]
        cursor.execute("SHOW enable_seqscan")
        seqscan = cursor.fetchone()[0]
    assert (indexscan, seqscan) == ("on", "on")


@pytest.fixture
def overestimated(pworld, many, monkeypatch):
    """Every match estimated, and estimated far above the 64 items there are."""
    monkeypatch.setattr(pg, "EXACT_UP_TO", 0)
    monkeypatch.setattr(pg, "SAMPLE_RATE", 1000)
    return pworld


def test_a_short_page_of_an_estimated_match_shows_its_real_end(overestimated):
    results = search(overestimated.admin, "防汛通知", page=2, per_page=50)
    assert len(results.hits) == 14
    assert results.total == 64 and results.page.number == 2 and not results.page.has_next()


def test_a_page_past_the_real_end_of_an_estimated_match_shows_the_last_page(overestimated):
    results = search(overestimated.admin, "防汛通知", page=40, per_page=10)
    assert results.page.number == 7 and len(results.hits) == 4
    assert results.total == 64 and not results.page.has_next()
