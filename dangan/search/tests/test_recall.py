"""Recall equals a substring match: whatever LIKE '%q%' over the indexed fields finds, search finds — on
every backend, for one- and two-character queries too — and nothing else."""

import random

import pytest
from django.db.models import Q

from dangan.catalogue.models import Item
from dangan.search.backends import get_backend
from dangan.search.text import parse
from dangan.search.visibility import visibility_for
from dangan.testing import make_item

pytestmark = pytest.mark.django_db

WORDS = [
    "档案",
    "局",
    "关于",
    "工作",
    "通知",
    "乡村",
    "振兴",
    "防汛",
    "财政",
    "预算",
    "会议",
    "纪要",
    "区",
    "镇",
]
COLUMNS = ("title", "creator", "document_number", "remarks", "reference_code", "full_text")


def like(query) -> set[int]:
    condition = Q()
    for term in query.terms:
        either = Q()
        for column in COLUMNS:
            either |= Q(**{f"{column}__icontains": term.text.replace("\u2423", " ")})
        condition &= either
    return set(Item.objects.filter(condition).values_list("pk", flat=True))


@pytest.fixture
def corpus(sworld):
    rng = random.Random(7)
    for n in range(60):
        make_item(
            sworld.fonds_a,
            title="".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7))),
            creator=rng.choice(["区档案局", "区财政局", "城关镇人民政府"]),
            document_number=f"区档发〔{2000 + n % 20}〕{n}号",
            remarks=rng.choice(["", "乡村振兴附件"]),
            full_text=rng.choice(["", "会议纪要全文：防汛工作安排" * 3]),
        )
    return sworld


def test_every_substring_query_finds_exactly_what_like_finds(corpus):
    rng = random.Random(11)
    texts = list(Item.objects.values_list("title", flat=True))
    queries = {"区", "局", "档", "档案", "汛工", "纪要全", "〔2003〕", "2003", "振兴附件", "案局"}
    for _ in range(40):
        title = rng.choice(texts)
        start = rng.randrange(len(title))
        queries.add(title[start : start + rng.randint(1, 5)])
    backend = get_backend()
    everything = visibility_for(corpus.admin)
    for q in sorted(queries):
        query = parse(q)
        assert backend.matching_ids(query, everything) == like(query), q


def test_several_terms_must_all_occur_anywhere(corpus):
    query = parse("档案 防汛")
    assert get_backend().matching_ids(query, visibility_for(corpus.admin)) == like(query)


def test_a_phrase_matches_only_adjacent_text(sworld):
    hit = make_item(sworld.fonds_a, title="区档案局工作")
    make_item(sworld.fonds_a, title="档案 局工作")  # both characters, not adjacent
    assert get_backend().matching_ids(parse('"档案局"'), visibility_for(sworld.admin)) == {hit.pk}


def test_a_phrase_does_not_run_from_one_field_into_the_next(sworld):
    make_item(sworld.fonds_a, title="关于档案", creator="局办公室", remarks="", document_number="")
    assert get_backend().matching_ids(parse("档案局"), visibility_for(sworld.admin)) == set()


@pytest.mark.parametrize("q", ["0001防", "01防汛", "1防汛附"])
def test_a_term_does_not_run_from_one_value_of_a_field_into_the_next(sworld, q):
    # The reference code and the remarks are both in the "other" field, one value after the other.
    item = make_item(sworld.fonds_a, title="通知", remarks="防汛附件")
    assert item.reference_code.endswith("0001")
    assert get_backend().matching_ids(parse(q), visibility_for(sworld.admin)) == set()
    assert get_backend().matching_ids(parse("汛附件"), visibility_for(sworld.admin)) == {item.pk}


@pytest.mark.parametrize("q", ["档案局", "区档案局", "档案局关于", "区档案局关于"])
def test_a_term_of_three_or_more_characters_needs_every_character_in_order(sworld, q):
    hit = make_item(sworld.fonds_a, title="区档案局关于防汛的通知")
    make_item(sworld.fonds_a, title="档案关于区局")  # the same characters, another order
    make_item(sworld.fonds_a, title="区档案 局关于")  # interrupted
    assert get_backend().matching_ids(parse(q), visibility_for(sworld.admin)) == {hit.pk}


def test_field_prefix_limits_the_term_to_that_field(sworld):
    in_title = make_item(sworld.fonds_a, title="财政预算报告", creator="区政府办公室")
    in_creator = make_item(sworld.fonds_a, title="会议纪要", creator="区财政局")
    backend, everyone = get_backend(), visibility_for(sworld.admin)
    assert backend.matching_ids(parse("题名:财政"), everyone) == {in_title.pk}
    assert backend.matching_ids(parse("责任者:财政"), everyone) == {in_creator.pk}
    assert backend.matching_ids(parse("财政"), everyone) == {in_title.pk, in_creator.pk}


def test_full_width_and_half_width_letters_and_digits_find_each_other(sworld):
    item = make_item(sworld.fonds_a, title="ＧＢ／Ｔ１８８９４标准", document_number="abc-2023")
    backend, everyone = get_backend(), visibility_for(sworld.admin)
    assert backend.matching_ids(parse("gb/t18894"), everyone) == {item.pk}
    assert backend.matching_ids(parse("ＡＢＣ－２０２３"), everyone) == {item.pk}


def test_extra_field_values_and_full_text_are_searched(sworld):
    item = make_item(sworld.fonds_a, title="照片", full_text="原文中的罕见词语")
    Item.objects.filter(pk=item.pk).update(extra={"photographer": "张摄影"})
    item.refresh_from_db()
    item.save()
    backend, everyone = get_backend(), visibility_for(sworld.admin)
    assert backend.matching_ids(parse("罕见"), everyone) == {item.pk}
    assert backend.matching_ids(parse("张摄"), everyone) == {item.pk}
