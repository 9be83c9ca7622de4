"""Nobody sees a result, a count or a facet number of an item they may not see: the search's visible set is
``Item.objects.restrict(user)`` for every persona, on every backend."""

import pytest

from dangan.catalogue.choices import ControlStatus, SecurityLevel
from dangan.catalogue.models import Item
from dangan.search.backends import get_backend
from dangan.search.services import search
from dangan.search.text import parse
from dangan.search.visibility import visibility_for
from dangan.testing import make_fonds, make_item

pytestmark = pytest.mark.django_db
PERSONAS = ("admin", "staff", "archivist_a", "archivist_b", "reader")


@pytest.fixture
def holdings(sworld):
    village_fonds = make_fonds(sworld.village_a, "V001")
    held_by_a = make_fonds(sworld.unit_b, "B002", custodian=sworld.unit_a)
    for fonds in (sworld.fonds_a, sworld.fonds_b, village_fonds, held_by_a):
        for level in SecurityLevel.values:
            for control in ControlStatus.values:
                make_item(
                    fonds, title=f"档案{fonds.number}{level}{control}", security_level=level, control=control
                )
    return sworld


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_sees_exactly_what_restrict_allows(holdings, persona):
    user = getattr(holdings, persona)
    expected = set(Item.objects.restrict(user).values_list("pk", flat=True))
    assert get_backend().matching_ids(parse("档案"), visibility_for(user)) == expected
    results = search(user, "档案", per_page=100)
    assert results.total == len(expected)
    assert {hit.item.pk for hit in results.hits} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_facet_counts_only_count_visible_items(holdings, persona):
    user = getattr(holdings, persona)
    visible = Item.objects.restrict(user)
    results = search(user, "档案")
    by_level = {v.value: v.count for v in results.facets["security_level"]}
    expected = {}
    for level in visible.values_list("security_level", flat=True):
        expected[level] = expected.get(level, 0) + 1
    assert by_level == expected
    assert sum(v.count for v in results.facets["fonds"]) == visible.count()


def test_anonymous_visitors_find_nothing(holdings):
    from django.contrib.auth.models import AnonymousUser

    assert search(AnonymousUser(), "档案").total == 0


def test_a_user_with_clearance_below_an_item_gets_no_snippet_of_it(holdings):
    results = search(holdings.reader, "secret")
    assert results.total == 0 and results.hits == []
