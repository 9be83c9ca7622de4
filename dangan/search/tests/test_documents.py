"""A search document's fingerprint: what ``dangan search check`` compares between the index and the items."""

import dataclasses

import pytest

from dangan.search.documents import SearchDocument


def document(**changes) -> SearchDocument:
    values = {
        "item_id": 1,
        "fields": {"title": ["防汛通知"], "creator": ["城关镇"], "document_number": [], "other": [],
                   "full_text": []},
        "fonds_id": 1,
        "category_id": 2,
        "year": 2023,
        "retention_id": 3,
        "security_level": "public",
        "control": "open",
        "status": "filed",
        "has_files": False,
        "date_ordinal": 738000,
    }
    return SearchDocument(**(values | changes))


@pytest.mark.parametrize(
    "change",
    [{"fonds_id": 9}, {"category_id": 9}, {"year": 2024}, {"retention_id": 9}, {"security_level": "secret"},
     {"control": "controlled"}, {"status": "transferred"}, {"has_files": True}, {"date_ordinal": 738001},
     {"fields": {"title": ["防汛通告"], "creator": ["城关镇"], "document_number": [], "other": [],
                 "full_text": []}}],
)
def test_a_fingerprint_changes_with_every_indexed_value(change):
    assert document(**change).fingerprint != document().fingerprint


def test_documents_sharing_their_filters_keep_their_own_fingerprints():
    # The written-out filters are shared between documents: each fingerprint still follows its own filters.
    first = [document(item_id=n, year=2000 + n).fingerprint for n in range(5)]
    again = [document(item_id=n, year=2000 + n).fingerprint for n in reversed(range(5))]
    assert first == list(reversed(again)) and len(set(first)) == 5


def test_the_same_values_give_the_same_fingerprint_in_any_document_object():
    assert document().fingerprint == dataclasses.replace(document()).fingerprint


def test_the_fingerprint_is_the_one_indexes_already_hold():
    # Worked out by the code that built existing indexes: a new way of computing it must give the same number,
    # or every item of an index built before would be reported stale.
    assert document().fingerprint == 4238310550330938207
