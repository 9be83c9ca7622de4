"""The one search abstraction. Callers build a ``SearchRequest`` and get a ``SearchResult``; which engine
answers is a setting. A backend must:

- find exactly the items whose indexed text contains every term (``dangan.search.text``), with the filters
  and the ``Visibility`` applied inside the engine, so counts and facets only ever cover visible items;
- keep its index in step through ``items_changed`` / ``items_deleted``, called inside the transaction that
  changed the items (a backend outside the database makes that durable with the outbox table);
- rebuild, report fingerprints for ``dangan search check``, and say how big its index is.

A further engine (OpenSearch) is one more subclass named in ``DANGAN_SEARCH_BACKEND``.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import ClassVar

from dangan.search.text import Query
from dangan.search.visibility import Visibility

logger = logging.getLogger(__name__)

FACETS = ("fonds", "category", "year", "retention", "security_level", "control", "has_files")
RELEVANCE, DATE = "relevance", "date"


@dataclass
class Filters:
    fonds_ids: frozenset[int] | None = None
    category_id: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    retention_id: int | None = None
    security_level: str | None = None
    control: str | None = None
    has_files: bool | None = None


@dataclass
class SearchRequest:
    query: Query
    visibility: Visibility
    filters: Filters = field(default_factory=Filters)
    sort: str = RELEVANCE
    offset: int = 0
    limit: int = 20
    facets: bool = True


@dataclass
class SearchResult:
    total: int
    item_ids: list[int]
    facets: dict[str, dict] = field(default_factory=dict)
    # True when total and facet counts are estimates (a backend may estimate very large matches; 约).
    approximate: bool = False


Progress = Callable[[int, int], None]


def id_runs(item_ids: Iterable[int]) -> list[tuple[int, int | None]]:
    """Consecutive ids as (first, last) runs; last is None for a run of one (an outbox row's form)."""
    runs: list[list[int]] = []
    for pk in sorted(set(item_ids)):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return [(first, last if last != first else None) for first, last in runs]


# Items in one message to a bulk indexing child, at most: a thousand items' rows (about 300 kB pickled) fit in
# its pipe (1 MB, ``lib.processes``), so the sender goes on instead of waiting for the child to read them.
MESSAGE_ITEMS = 1000


def message_runs(runs: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(first, last) runs of ids cut into pieces of ``MESSAGE_ITEMS`` ids at most."""
    for first, last in runs:
        for start in range(first, last + 1, MESSAGE_ITEMS):
            yield start, min(start + MESSAGE_ITEMS - 1, last)


class BulkBlock:
    """What ``SearchBackend.bulk()`` yields."""

    def flush(self) -> None:
        """Inside the transaction, just before it commits: write what the block still holds back (nothing,
        for a backend that indexes in line or after the commit)."""

    def close(self) -> None:
        """End of the block, after the transaction ended either way."""


class BulkSessions(threading.local):
    """Each thread's open ``bulk()`` block, if any."""

    current: BulkBlock | None = None

    @contextmanager
    def block(self, make: Callable[[], BulkBlock]) -> Iterator[BulkBlock]:
        """Open a block made by ``make`` for this thread; a nested one is the outer block itself."""
        if self.current is not None:
            yield self.current
            return
        self.current = session = make()
        try:
            yield session
        finally:
            self.current = None
            session.close()


class SearchBackend:
    name = "base"
    instances: ClassVar[list["SearchBackend"]] = []

    def __init__(self, index_dir: str = ""):
        self.index_dir = index_dir
        SearchBackend.instances.append(self)

    def search(self, request: SearchRequest) -> SearchResult:
        raise NotImplementedError

    def matching_ids(self, query: Query, visibility: Visibility) -> set[int]:
        """Every visible match, unranked (for ``dangan bench`` recall and tests)."""
        raise NotImplementedError

    def items_changed(self, item_ids: Iterable[int], new_items=None) -> None:
        """``new_items``, when given, are the items of ``item_ids`` just filed, complete and without files:
        their documents may be made from them instead of read back."""
        raise NotImplementedError

    def items_deleted(self, item_ids: Iterable[int]) -> None:
        raise NotImplementedError

    def rebuild(self, progress: Progress | None = None) -> int:
        raise NotImplementedError

    def fingerprints(self) -> dict[int, int]:
        """item id → fingerprint of what the index holds for it."""
        raise NotImplementedError

    def catch_up(self) -> None:
        """Apply changes not yet in the index (backends with an outbox); before reading it."""

    def catch_up_quietly(self) -> None:
        # After commit the change is safe in the outbox; a failure here only delays it to the next catch-up.
        try:
            self.catch_up()
        except Exception:
            logger.exception("search index: could not apply queued changes now; they stay queued")

    def bulk(self, start_at: int | None = None, expected: int = 0) -> AbstractContextManager["BulkBlock"]:
        """Around a transaction that changes very many items (an import): the backend may index them while
        the transaction runs, to have less to do after it commits. Nothing reaches the index unless the
        transaction commits. Call the yielded block's ``flush()`` inside the transaction, last.

        A backend that indexes in a child process starts one once ``start_at`` items have changed (its own
        number when None); a caller that knows it will change at least that many items says so in
        ``expected``, and the child starts with the block: it sets itself up (a second or so) while the
        caller prepares its first items instead of holding the caller up then, and takes every batch as
        it is filed, none read back."""
        return nullcontext(BulkBlock())

    def size_bytes(self) -> int:
        return 0

    def close(self) -> None:
        if self in SearchBackend.instances:
            SearchBackend.instances.remove(self)
