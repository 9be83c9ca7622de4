"""The embedded engine: a tantivy index in the data folder (``DANGAN_SEARCH_INDEX_DIR``).

Measured on 1M items (see README): ranked top-20 with total and facets in a few milliseconds, where SQLite
FTS5 ranked by bm25 took 115–260 ms. Text fields hold the tokens of ``dangan.search.text`` split by the
``whitespace`` tokenizer; a term is a phrase of its bigrams at their real offsets. Filter and facet values
are integer fast fields; facet counts are one terms aggregation over the matching, visible documents.

The index lives outside the database, so changes reach it through ``IndexOutbox``: rows written in the
changing transaction, applied after commit, before each search and by a rebuild.
"""

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import tantivy
from django.db import transaction

from dangan.catalogue.choices import ControlStatus, RecordStatus, SecurityLevel
from dangan.search.backends import tantivy_bulk
from dangan.search.backends.base import (
    DATE,
    BulkSessions,
    Progress,
    SearchBackend,
    SearchRequest,
    SearchResult,
    id_runs,
)
from dangan.search.documents import TEXT_FIELDS, SearchDocument, document_batches
from dangan.search.models import IndexOutbox
from dangan.search.text import Query, Term, field_token_strings, phrase
from dangan.search.visibility import Visibility

logger = logging.getLogger(__name__)

# Choice values as small integers: fast fields and aggregations want numbers.
CODES = {
    "security_level": list(SecurityLevel.values),
    "control": list(ControlStatus.values),
    "status": list(RecordStatus.values),
}


class _Codes(dict):
    """A choice's value → its code; a value not (or no longer) among the choices gets the code after them."""

    def __init__(self, values: list[str]):
        super().__init__((value, code) for code, value in enumerate(values))
        self.unknown = len(values)

    def __missing__(self, value) -> int:
        return self.unknown


CODE_OF = {name: _Codes(values) for name, values in CODES.items()}
_SECURITY_CODES, _CONTROL_CODES = CODE_OF["security_level"], CODE_OF["control"]
_STATUS_CODES = CODE_OF["status"]

# Integer fields searched by value (filters, facets): in the inverted index as well as fast fields.
INT_FIELDS = (
    "fonds",
    "category",
    "year",
    "retention",
    "security_level",
    "control",
    "status",
    "has_files",
)
# Integer fields only read per document (sorting by date, ``dangan search check``'s fingerprints): fast fields
# alone. In the inverted index the fingerprint was a term of its own for every document and the date one of
# thousands, which no query looks up: 200,000 documents indexed in about 1.5 CPU-s less without them.
FAST_ONLY_INT_FIELDS = ("date", "fingerprint")
FACET_SIZES = {
    "fonds": 10000,
    "category": 1000,
    "year": 300,
    "retention": 100,
    "security_level": 10,
    "control": 10,
    "has_files": 2,
}
WRITER_HEAP = 256 * 1024 * 1024
# A rebuild writes every item at once: with a gigabyte a million items make one segment instead of four, and
# each query walks each segment (p95 of phrases with facets at 1M items: 90 → 56 ms).
REBUILD_HEAP = 1024 * 1024 * 1024
# Indexing threads: this process needs a core of its own to make the documents (measured on 2 cores, one
# thread built 200k items in 11 s, two in 14 s).
WRITER_THREADS = max(1, min(4, (os.cpu_count() or 2) - 1))
# Outbox rows applied (and committed) per round: an import's rows hold a thousand items each, so that a
# million of them make a few segments, not hundreds.
OUTBOX_ROWS = 1000
DOCUMENT_CHUNK = 5000


# Each text field has a twin of its three-character windows, made by tantivy's own n-gram tokenizer (no
# positions: it puts them all at 0, so they answer "contains", never "follows"). A three-character term is one
# look-up there instead of a phrase of two pairs (p95 with facets at 1M items: 63 → 22 ms). Longer terms stay
# phrases: adding their windows as required terms made them slower (the windows are as common as the phrase).
TRIGRAMS = "trigram"


def trigram_field(name: str) -> str:
    return f"{name}_3"


_TEXT_AND_TRIGRAM_FIELDS = [(name, trigram_field(name)) for name in TEXT_FIELDS]


def build_schema():
    builder = tantivy.SchemaBuilder()
    # Ids are read as fast field values; the document store is never read, so nothing goes into it.
    builder.add_integer_field("item_id", stored=False, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
        builder.add_text_field(
            trigram_field(name), stored=False, tokenizer_name=TRIGRAMS, index_option="freq"
        )
    for name in INT_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in FAST_ONLY_INT_FIELDS:
        builder.add_integer_field(name, indexed=False, fast=True)
    builder.add_float_field("recency", fast=True)
    return builder.build()


# Relevance, then date: tantivy multiplies the score by log2(2 + recency); recency grows with the date so that
# the factor runs from 1 (1900) to 1.001 (2100). Equal scores are thus ordered newest first inside the
# engine's own top-k, which a re-sort of one fetched page could not do when thousands of items tie.
FIRST_DAY, LAST_DAY = 693596, 766645  # 1900-01-01, 2100-01-01
RECENCY_SPAN = 2 * (2**0.001 - 1)


def recency(ordinal: int) -> float:
    fraction = min(1.0, max(0.0, (ordinal - FIRST_DAY) / (LAST_DAY - FIRST_DAY)))
    return RECENCY_SPAN * fraction


class TantivyBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, index_dir: str = ""):
        super().__init__(index_dir)
        self.schema = build_schema()
        self._index = None
        # One writer per index: tantivy refuses a second, so this process's threads take turns.
        self._write_lock = threading.Lock()
        self._sessions = BulkSessions()

    # Opening ----------------------------------------------------------------------------------------------
    @property
    def index(self) -> tantivy.Index:
        if self._index is None:
            Path(self.index_dir).mkdir(parents=True, exist_ok=True)
            try:
                self._index = self._open(reuse=True)
            except ValueError as e:
                if "schema does not match" not in str(e):
                    raise
                self._index = self._start_over()
        return self._index

    def _start_over(self) -> tantivy.Index:
        """An index written by another version of this schema: empty it and have a worker rebuild it."""
        from dangan.core.jobs import enqueue

        logger.warning("search index %s has an older schema: emptied, rebuild queued", self.index_dir)
        for path in Path(self.index_dir).iterdir():
            if path.is_file():
                path.unlink()
        try:
            enqueue("search.reindex")
        except Exception:  # the emptied index is correct, only incomplete: `dangan search check` shows it
            logger.exception("could not queue the search index rebuild")
        return self._open(reuse=False)

    def _open(self, reuse: bool) -> tantivy.Index:
        index = tantivy.Index(self.schema, path=self.index_dir, reuse=reuse)
        # Tokenizers are not stored with the index: every process that writes registers them.
        index.register_tokenizer(
            TRIGRAMS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(3, 3, False)).build()
        )
        return index

    def close(self) -> None:
        self._index = None
        super().close()

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in Path(self.index_dir).glob("*") if f.is_file())

    # Writing ----------------------------------------------------------------------------------------------
    def to_tantivy(self, docs: list[SearchDocument]) -> Iterator[tantivy.Document]:
        """The engine's documents for ``docs``, one by one; their text is tokenised many documents at once
        (``field_token_strings``)."""
        texts = field_token_strings([doc.fields[name] for doc in docs for name in TEXT_FIELDS])
        for doc in docs:
            yield self._document(doc, texts)

    def _document(self, doc: SearchDocument, texts: Iterator[str]) -> tantivy.Document:
        """``doc`` for the engine; ``texts`` gives the token string of each of its TEXT_FIELDS in turn."""
        # A million of these per import: names and codes come from tables made once (0.8 µs a document).
        out = tantivy.Document()
        add_text, add = out.add_text, out.add_integer
        add("item_id", doc.item_id)
        fields = doc.fields
        for name, trigrams in _TEXT_AND_TRIGRAM_FIELDS:
            values, tokens = fields[name], next(texts)
            if values:
                add_text(name, tokens)
                for value in values:
                    if len(value) > 2:
                        add_text(trigrams, value)
        add("fonds", doc.fonds_id)
        add("category", doc.category_id)
        add("year", doc.year)
        add("retention", doc.retention_id)
        add("security_level", _SECURITY_CODES[doc.security_level])
        add("control", _CONTROL_CODES[doc.control])
        add("status", _STATUS_CODES[doc.status])
        add("has_files", int(doc.has_files))
        add("date", doc.date_ordinal)
        add("fingerprint", doc.fingerprint)
        out.add_float("recency", recency(doc.date_ordinal))
        return out

    def items_changed(self, item_ids: Iterable[int], new_items=None) -> None:
        self._queue(item_ids, new_items)

    def items_deleted(self, item_ids: Iterable[int]) -> None:
        self._queue(item_ids)

    def _queue(self, item_ids: Iterable[int], new_items=None) -> None:
        runs = id_runs(item_ids)
        rows = [IndexOutbox(item_id=first, last_item_id=last) for first, last in runs]
        if not rows:
            return
        IndexOutbox.objects.bulk_create(rows, batch_size=1000)
        session = self._sessions.current
        if session is not None and transaction.get_connection().in_atomic_block:
            session.add(runs, [row.pk for row in rows], new_items)
        else:
            transaction.on_commit(self.catch_up_quietly)

    def bulk(self, start_at: int | None = None, expected: int = 0):
        """Items changed inside the block are indexed by a child process as they come (``tantivy_bulk``)."""
        start_at = start_at or tantivy_bulk.START_AT
        return self._sessions.block(lambda: tantivy_bulk.BulkSession(self, start_at, expected))

    def catch_up(self) -> None:
        if not IndexOutbox.objects.exists():
            return
        with self._write_lock:
            # One writer for everything queued: an import queues a million items at once, and a writer (with
            # its threads and its segment per commit) for each batch cost more than the indexing.
            writer = None
            try:
                while True:
                    queued = list(
                        IndexOutbox.objects.order_by("pk").values_list("pk", "item_id", "last_item_id")[
                            :OUTBOX_ROWS
                        ]
                    )
                    if not queued:
                        break
                    runs = [(first, last or first) for _pk, first, last in queued]
                    if writer is None:
                        try:
                            writer = self._writer(sum(last - first + 1 for first, last in runs))
                        except ValueError as e:
                            if "LockBusy" not in str(e):
                                raise
                            # Another process writes (say, its own catch-up): search what is committed;
                            # that process, or a later search, applies the rest.
                            logger.info("search index busy in another process; queued changes wait")
                            return
                    item_ids = set()
                    for first, last in runs:
                        self.delete_run(writer, first, last)
                        item_ids.update(range(first, last + 1))
                    # Items deleted meanwhile are simply not found here: their deletion above stands.
                    for docs in document_batches(item_ids, chunk=DOCUMENT_CHUNK):
                        for document in self.to_tantivy(docs):
                            writer.add_document(document)
                    writer.commit()
                    # Deleted only after the index committed: a crash in between re-applies them, harmlessly.
                    IndexOutbox.objects.filter(pk__lte=queued[-1][0]).delete()
            finally:
                if writer is not None:
                    writer.wait_merging_threads()
                    self.index.reload()

    def delete_run(self, writer, first: int, last: int) -> None:
        """Remove items first..last from the index (before adding what they hold now)."""
        if first == last:
            writer.delete_documents_by_term("item_id", first)
        else:
            writer.delete_documents_by_query(
                tantivy.Query.range_query(self.schema, "item_id", tantivy.FieldType.Integer, first, last)
            )

    def _writer(self, batch_size: int):
        """A small single-threaded writer for a few items, the full one for a bulk of them."""
        if batch_size < 1000:
            return self.index.writer(heap_size=50_000_000, num_threads=1)
        return self.index.writer(heap_size=WRITER_HEAP, num_threads=WRITER_THREADS)

    def rebuild(self, progress: Progress | None = None) -> int:
        from dangan.catalogue.models import Item

        total = Item.objects.count()
        with self._write_lock:
            start_outbox = IndexOutbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            done = tantivy_bulk.rebuild(self, total, progress)
            # What was queued before the rebuild began is in it; later changes stay queued.
            IndexOutbox.objects.filter(pk__lte=start_outbox).delete()
            self.index.reload()
        if progress:
            progress(done, total)
        return done

    # Reading ----------------------------------------------------------------------------------------------
    def fingerprints(self) -> dict[int, int]:
        self.index.reload()
        searcher = self.index.searcher()
        n = searcher.num_docs
        if n == 0:
            return {}
        hits = searcher.search(tantivy.Query.all_query(), limit=n, count=False).hits
        addresses = [address for _score, address in hits]
        ids = searcher.fast_field_values("item_id", addresses)
        prints = searcher.fast_field_values("fingerprint", addresses)
        return dict(zip(ids, prints, strict=True))

    def search(self, request: SearchRequest) -> SearchResult:
        self.catch_up()
        if request.visibility.nothing:
            return SearchResult(0, [], {})
        query = self._query(request.query, request.visibility, request.filters)
        searcher = self.index.searcher()
        wanted = request.offset + request.limit
        if request.sort == DATE:
            result = searcher.search(
                query, limit=max(wanted, 1), count=True, order_by_field="date", order=tantivy.Order.Desc
            )
            addresses = [a for _key, a in result.hits][request.offset :]
        else:
            result = searcher.search(query, limit=max(wanted, 1), count=True, weight_by_field="recency")
            addresses = [a for _score, a in result.hits][request.offset :]
        ids = searcher.fast_field_values("item_id", addresses) if addresses else []
        facets = self._facets(searcher, query) if request.facets and result.count else {}
        return SearchResult(result.count, ids, facets)

    def matching_ids(self, query: Query, visibility: Visibility) -> set[int]:
        from dangan.search.backends.base import Filters

        self.catch_up()
        if visibility.nothing:
            return set()
        searcher = self.index.searcher()
        engine_query = self._query(query, visibility, Filters())
        count = searcher.search(engine_query, limit=1, count=True).count
        if not count:
            return set()
        hits = searcher.search(engine_query, limit=count, count=False, order_by_field="item_id").hits
        return set(searcher.fast_field_values("item_id", [a for _k, a in hits]))

    def _facets(self, searcher, query) -> dict[str, dict]:
        aggs = {name: {"terms": {"field": name, "size": size}} for name, size in FACET_SIZES.items()}
        result = searcher.aggregate(query, aggs)
        facets = {}
        for name in FACET_SIZES:
            buckets = result.get(name, {}).get("buckets", [])
            facets[name] = {_decode(name, int(b["key"])): b["doc_count"] for b in buckets}
        return facets

    # Query building ---------------------------------------------------------------------------------------
    def _query(self, query: Query, visibility: Visibility, filters) -> tantivy.Query:
        must = [(tantivy.Occur.Must, self._term_query(term)) for term in query.terms]
        for clause in self._filters(visibility, filters):
            # Filters decide membership only; relevance comes from the text.
            must.append((tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0)))
        return tantivy.Query.boolean_query(must)

    def _term_query(self, term: Term) -> tantivy.Query:
        fields = [term.field] if term.field else list(TEXT_FIELDS)
        text = term.text
        words = phrase(text)
        options = []
        for name in fields:
            if len(text) == 3:
                q = tantivy.Query.term_query(self.schema, trigram_field(name), text, index_option="freq")
            elif len(words) == 1:
                q = tantivy.Query.term_query(self.schema, name, words[0][1], index_option="freq")
            else:
                q = tantivy.Query.phrase_query(self.schema, name, words)
            options.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, TEXT_FIELDS[name])))
        return tantivy.Query.boolean_query(options)

    def _filters(self, visibility: Visibility, filters) -> list[tantivy.Query]:
        s = self.schema
        clauses = []
        # Left out when every level is visible (the bureau): a clause matching everything still costs a
        # posting list walk per match.
        if set(visibility.security_levels) != set(CODES["security_level"]):
            levels = [_code("security_level", v) for v in visibility.security_levels]
            clauses.append(_term_set(s, "security_level", levels))
        if visibility.fonds_ids is not None:
            clauses.append(_term_set(s, "fonds", visibility.fonds_ids))
        if visibility.control is not None:
            clauses.append(tantivy.Query.term_query(s, "control", _code("control", visibility.control)))
        if filters.fonds_ids is not None:
            clauses.append(_term_set(s, "fonds", filters.fonds_ids))
        for name, value in (("category", filters.category_id), ("retention", filters.retention_id)):
            if value is not None:
                clauses.append(tantivy.Query.term_query(s, name, value))
        for name in ("security_level", "control"):
            value = getattr(filters, name)
            if value is not None:
                clauses.append(tantivy.Query.term_query(s, name, _code(name, value)))
        if filters.has_files is not None:
            clauses.append(tantivy.Query.term_query(s, "has_files", int(filters.has_files)))
        if filters.year_from is not None or filters.year_to is not None:
            clauses.append(
                tantivy.Query.range_query(
                    s, "year", tantivy.FieldType.Integer, filters.year_from, filters.year_to
                )
            )
        return clauses


def _term_set(schema, name: str, values) -> tantivy.Query:
    values = sorted(values)
    if not values:
        return tantivy.Query.empty_query()
    return tantivy.Query.term_set_query(schema, name, values)


def _code(name: str, value: str) -> int:
    return CODE_OF[name][value]


def _decode(name: str, code: int):
    if name in CODES:
        return CODES[name][code] if code < len(CODES[name]) else ""
    if name == "has_files":
        return bool(code)
    return code
