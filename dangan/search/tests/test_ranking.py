"""Results rank by relevance — a match in the title above one in the full text — then by date."""

import datetime

import pytest

from dangan.search.services import search
from dangan.testing import make_item

pytestmark = pytest.mark.django_db


def titles(results):
    return [hit.item.title for hit in results.hits]


def test_a_title_match_ranks_above_a_full_text_match(sworld):
    make_item(sworld.fonds_a, title="会议记录", full_text="其中谈到防汛", date=datetime.date(2023, 5, 1))
    make_item(sworld.fonds_a, title="防汛通知", date=datetime.date(2001, 5, 1))
    assert titles(search(sworld.admin, "防汛")) == ["防汛通知", "会议记录"]


def test_equal_matches_rank_newest_first(sworld):
    for year in (2005, 2021, 2013):
        make_item(sworld.fonds_a, title=f"防汛通知{year}", year=year, date=datetime.date(year, 3, 1))
    assert titles(search(sworld.admin, "防汛通知")) == ["防汛通知2021", "防汛通知2013", "防汛通知2005"]


def test_sort_by_date_ignores_relevance(sworld):
    make_item(sworld.fonds_a, title="会议记录", full_text="防汛", date=datetime.date(2023, 5, 1))
    make_item(sworld.fonds_a, title="防汛通知", date=datetime.date(2001, 5, 1))
    assert titles(search(sworld.admin, "防汛", sort="date")) == ["会议记录", "防汛通知"]


def test_pages_follow_the_ranking_without_gaps_or_repeats(sworld):
    for n in range(7):
        make_item(sworld.fonds_a, title=f"分页防汛{n}", date=datetime.date(2010 + n, 1, 1))
    make_item(sworld.fonds_a, title="正文", full_text="分页防汛", date=datetime.date(2024, 1, 1))
    pages = [titles(search(sworld.admin, "分页防汛", page=p, per_page=3)) for p in (1, 2, 3)]
    flat = [t for page in pages for t in page]
    assert flat == [f"分页防汛{n}" for n in range(6, -1, -1)] + ["正文"]
