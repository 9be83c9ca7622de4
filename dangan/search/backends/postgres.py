"""Search inside PostgreSQL: nothing outside the database to keep in step, so several web and worker
machines share it. The index is the ``SearchDocument`` table, written in the item's own transaction (a large
import's rows by a child process just after it: ``postgres_bulk``).

A term of two characters is one lexeme of the GIN-indexed ``tokens`` tsvector, one character a prefix of
lexemes (see ``token_set``); both are exact. A longer term is the AND of its bigrams (the GIN index
finds candidates) confirmed by ``strpos`` on the normalised text. Nothing depends on the database's locale
(pg_trgm would see no CJK under LC_CTYPE C).

Ranking is by tiers, then date: items with every term in the title first, the rest after, each newest
first. Each tier is read through the (date, id) index with ``LIMIT``, so a term in half a million items
still stops after a page, instead of ranking every match as ``ts_rank`` would (≈ 480 ms for 569k hits).
Counts and facets come from one ``GROUPING SETS`` query over the match. Counting reads every matching row,
and the rows of a common term lie scattered over the whole table (a second and more for 200,000 matches),
so the count is first made on ``SearchSample``, a sixteenth of the items small enough to stay in memory:
when it promises more than ``EXACT_UP_TO`` matches, the total and facet counts are that sample's, scaled
and rounded, and the result says it is approximate (shown as 约); otherwise the match is counted exactly.
"""

import heapq
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from operator import add, itemgetter

from django.db import connection, transaction
from psycopg.adapt import Dumper
from psycopg.postgres import types as postgres_types
from psycopg.pq import Format

from dangan.catalogue.choices import SecurityLevel
from dangan.core.bulk import binary_types
from dangan.search.backends import postgres_bulk
from dangan.search.backends.base import (
    DATE,
    FACETS,
    BulkSessions,
    Progress,
    SearchBackend,
    SearchRequest,
    SearchResult,
)
from dangan.search.documents import SearchDocument, document_batches, from_row, item_row
from dangan.search.models import SearchDocument as Row
from dangan.search.models import SearchSample
from dangan.search.text import UTF32, Query, character_rounds
from dangan.search.visibility import Visibility

TABLE = Row._meta.db_table
SAMPLE_TABLE = SearchSample._meta.db_table
SAMPLE_RATE = 16  # one item in SAMPLE_RATE is in the sample (see in_sample)
# Matches counted exactly up to about this many; each costs a read of a scattered row.
EXACT_UP_TO = 2000
# A quarter of the sample (one item in 64, under its own partial GIN index) for the largest matches: at
# more than COARSE_ABOVE it still holds a thousand of them, which estimates as well as needed for 约.
COARSE_RATE = 64
COARSE_ABOVE = 64_000
COARSE_CLAUSE = "((item_id * 2654435761) & 4294967295) >> 26 = 0"
TEXT_COLUMNS = {"title": "title", "creator": "creator", "document_number": "document_number"}
FACET_COLUMNS = {
    "fonds": "fonds_id",
    "category": "category_id",
    "year": "year",
    "retention": "retention_id",
    "security_level": "security_level",
    "control": "control",
    "has_files": "has_files",
}
# Facets with a handful of values each, counted in one grouping set.
SMALL_FACETS = ("category", "retention", "security_level", "control", "has_files")
COLUMNS = (
    "item_id",
    "fonds_id",
    "category_id",
    "year",
    "retention_id",
    "security_level",
    "control",
    "status",
    "has_files",
    "date_ordinal",
    "fingerprint",
    "title",
    "creator",
    "document_number",
    "body",
    "tokens",
)
GIN_INDEXES = {TABLE: "search_doc_tokens", SAMPLE_TABLE: "search_sample_tokens"}
COARSE_INDEX = "search_sample_coarse"
COPY_CHUNK = 5000
OUTBOX_ROWS = 100  # outbox rows (runs of up to a thousand items) caught up in one transaction
# Set for one search only (SET LOCAL), and back to their defaults after it inside a caller's transaction.
PLANNER_SETTINGS = ("work_mem", "jit", "enable_seqscan", "enable_indexscan", "enable_bitmapscan")


@cache
def _column_types() -> list[str]:
    """The COLUMNS' types as psycopg names them, for COPY's binary form."""
    fields = [Row._meta.get_field(name) for name in COLUMNS]
    return [*binary_types(connection, fields[:-1]), "tsvector"]  # tokens: TokenSetDumper


def in_sample(item_id: int) -> bool:
    """A fixed, well-mixed sixteenth of the items (Knuth's multiplicative hash, top four of 32 bits); the
    same rule fills the sample in migration 0002. ``COARSE_CLAUSE`` takes the top six bits: a quarter."""
    return ((item_id * 2654435761) & 0xFFFFFFFF) >> 28 == 0


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def token_set(values: list[str]) -> list[str]:
    """The item's tokens (``values``: its non-empty texts): of each value every adjacent pair and the last
    character alone, so each character begins at least one token and a one-character query is a prefix search
    (``'x':*``), with half the index entries that every single character as well would need. Each distinct
    token once, without positions or weights: presence is all the GIN index answers (fields and adjacency are
    checked with ``strpos``), and a bare lexeme needs no recheck. In the order a tsvector keeps its lexemes
    (by their UTF-8 bytes, which is the order of their code points), so the server finds them sorted. Many
    items at once, in the form COPY sends: ``token_sets``."""
    body = "\n".join(values)
    if not body:
        return []
    # Pairs by operator.add over the text and its shift (half the time of slicing at each index).
    distinct = set(map(add, body, body[1:]))
    distinct.add(body[-1])
    if len(values) > 1:
        distinct = {token for token in distinct if "\n" not in token}
        distinct.update(value[-1] for value in values)
    return sorted(distinct)


class TokenSetDumper(Dumper):
    """A token set already in COPY's binary form of a tsvector (what the server's ``tsvectorrecv`` reads):
    the number of lexemes as four bytes, then each lexeme's UTF-8 text, a zero byte and its number of
    positions in two (none here). The server takes it as it comes, where the text form (quoted lexemes) is
    parsed: 4.6 of its µs a row less, and 2.3 of psycopg's, for an import's search rows (with the other
    columns' binary form). Registered for the tsvector type alone, as COPY's ``set_types`` looks it up."""

    format = Format.BINARY
    oid = postgres_types["tsvector"].oid

    def dump(self, obj: bytes) -> bytes:
        return obj


# A lexeme's end in the binary form, as text: the zero byte after it and the two of its count of positions,
# each written by UTF-8 as a zero byte.
_LEXEME_END = "\0\0\0"


def token_set_binary(values: list[str]) -> bytes:
    """``token_set(values)`` as COPY sends it (see ``TokenSetDumper``)."""
    lexemes = token_set(values)
    return len(lexemes).to_bytes(4, "big") + "".join(lexeme + _LEXEME_END for lexeme in lexemes).encode()


_NEWLINE = ord("\n")


def token_sets(value_lists: list[list[str]]) -> list[bytes]:
    """``token_set_binary`` of each list of values, for many at once.

    numpy pairs the characters of every text of the batch, sorts and de-duplicates the tokens of each and
    writes all the sets out in one string: a third of the time of doing it text by text in Python (8 µs an
    item for PostgreSQL's search rows). About ``TOKENISED_AT_ONCE`` characters go at a time, so a batch of
    items with long full texts is not held several times over at once. Lists the batch cannot take as they
    are (a value that is empty or holds a line break) are done by ``token_set_binary``.
    """
    sets = []
    for some in character_rounds(value_lists, (sum(map(len, values)) for values in value_lists)):
        sets += _token_sets(some)
    return sets


_NO_TOKENS = bytes(4)


def _token_sets(value_lists: list[list[str]]) -> list[bytes]:
    import numpy  # here, as in search.text: every process that only searches would pay for loading it

    sets = [_NO_TOKENS] * len(value_lists)
    bodies, where = [], []
    for index, values in enumerate(value_lists):
        body = "\n".join(values)
        if not body:
            continue
        if "" in values or body.count("\n") != len(values) - 1:
            sets[index] = token_set_binary(values)
            continue
        bodies.append(body)
        where.append(index)
    if not bodies:
        return sets
    joined = "".join(bodies).encode(UTF32, "surrogatepass")
    codes = numpy.frombuffer(joined, dtype="<u4").astype(numpy.uint64)
    lengths = numpy.fromiter(map(len, bodies), dtype=numpy.int64, count=len(bodies))
    text_of = numpy.repeat(numpy.arange(len(bodies), dtype=numpy.uint64), lengths)
    # A token is a key: its text's number, its first character and its second plus one (0: none), so that
    # sorting the keys sorts each text's tokens as a tsvector does, a character alone before its pairs.
    first, second = codes[:-1], codes[1:]
    in_value = (text_of[:-1] == text_of[1:]) & (first != _NEWLINE) & (second != _NEWLINE)
    last = numpy.ones(len(codes), dtype=bool)  # the last character of each value
    last[:-1] = (text_of[:-1] != text_of[1:]) | (second == _NEWLINE)
    last &= codes != _NEWLINE
    # numpy's stable sort (timsort, for these keys) gains from keys that arrive grouped by their text, in
    # ascending order of texts: 20,000 bench items' token sets 7.5–8.3 → 6.1–6.5 µs an item against the
    # default quicksort. Equal keys are one token, so the result is the same either way.
    keys = numpy.sort(numpy.concatenate([
        (text_of[:-1][in_value] << 43) | (first[in_value] << 22) | (second[in_value] + 1),
        (text_of[last] << 43) | (codes[last] << 22),
    ]), kind="stable")
    keys = keys[numpy.concatenate(([True], keys[1:] != keys[:-1]))]  # numpy.unique took 30 times as long
    second = keys & 0x3FFFFF
    paired = second != 0
    # Each token as c1 c2 and its _LEXEME_END, without c2 for a character alone; one string for the batch.
    written = numpy.zeros((len(keys), 5), dtype="<u4")
    written[:, 0] = (keys >> 22) & 0x1FFFFF
    written[:, 1] = second - 1
    kept = numpy.ones((len(keys), 5), dtype=bool)
    kept[:, 1] = paired
    out = written[kept].tobytes().decode(UTF32, "surrogatepass")
    text_of_key = (keys >> 43).astype(numpy.int64)
    ends = numpy.cumsum(numpy.bincount(text_of_key, weights=4 + paired, minlength=len(bodies)))
    heads = numpy.bincount(text_of_key, minlength=len(bodies)).astype(">u4").tobytes()
    start = 0
    for number, (index, end) in enumerate(zip(where, ends.astype(numpy.int64).tolist(), strict=True)):
        sets[index] = heads[4 * number : 4 * number + 4] + out[start:end].encode()
        start = end
    return sets


def rows_values(docs: list[SearchDocument]) -> list[tuple]:
    """The search table's row for each of ``docs``; their tokens are made all at once."""
    texts = [[value for values in doc.fields.values() for value in values if value] for doc in docs]
    return list(map(_row_values, docs, texts, token_sets(texts)))


def _row_values(doc: SearchDocument, values: list[str], tokens: bytes) -> tuple:
    fields = doc.fields
    return (
        doc.item_id,
        doc.fonds_id,
        doc.category_id,
        doc.year,
        doc.retention_id,
        doc.security_level,
        doc.control,
        doc.status,
        doc.has_files,
        doc.date_ordinal,
        doc.fingerprint,
        fields["title"][0] if fields["title"] else "",
        fields["creator"][0] if fields["creator"] else "",
        fields["document_number"][0] if fields["document_number"] else "",
        "\n".join(values),
        tokens,
    )


class RowStream:
    """The search rows of many batches in one COPY of the search table, ended every ``batches_per_copy``
    batches and by ``close()``, after which the sample's share of them follows in a COPY of its own.

    A COPY's end waits for the server to have stored every row sent. With a COPY a batch (a thousand items),
    the import's search child waited at every end while its server process worked, and the server waited
    while the child made the next batch's rows: over a 1M-row import the two ran one at a time, with the
    importer and the parsing child waiting for the child, 5 % of the time, a core idle. Inside one COPY the
    server stores the rows already sent while the next ones are made. The connection can do nothing else
    while its COPY is open: read nothing between two batches written.
    """

    def __init__(self, batches_per_copy: int = 1):
        self.batches_per_copy = batches_per_copy
        self._open = ExitStack()
        self._copy = None
        self._batches = 0
        self._sampled: list[tuple] = []

    def write(self, batch: list[SearchDocument]) -> int:
        """Send the search rows of ``batch``; how many. A failure fails the open COPY, then is raised."""
        if not batch:
            return 0
        try:
            rows = rows_values(batch)
            if self._copy is None:
                cursor = self._open.enter_context(connection.cursor())
                self._copy = self._open.enter_context(_binary_copy(cursor, TABLE))
            for doc, values in zip(batch, rows, strict=True):
                self._copy.write_row(values)
                if in_sample(doc.item_id):
                    self._sampled.append(values)
        except BaseException as e:
            self.abort(e)
            raise
        self._batches += 1
        if self._batches >= self.batches_per_copy:
            self.close()
        return len(batch)

    def close(self) -> None:
        """End the open COPY (the server has stored its rows when this returns), then write the sample's."""
        if self._copy is not None:
            self._copy, self._batches = None, 0
            self._open.close()
        if self._sampled:
            sampled, self._sampled = self._sampled, []
            with connection.cursor() as cursor, _binary_copy(cursor, SAMPLE_TABLE) as copy:
                for values in sampled:
                    copy.write_row(values)

    def abort(self, error: BaseException | None = None) -> None:
        """Fail the open COPY, if any (its transaction can then only roll back), and forget what it held."""
        self._copy, self._batches, self._sampled = None, 0, []
        error = error or RuntimeError("search rows abandoned")
        try:  # the cursor too, when the COPY itself could not start
            self._open.__exit__(type(error), error, error.__traceback__)
        except Exception:  # the COPY's own failure: the transaction rolls back all the same
            pass


@contextmanager
def _binary_copy(cursor, table: str):
    # Every column in COPY's binary form: psycopg need not escape the texts, nor the server parse them.
    cursor.cursor.adapters.register_dumper(None, TokenSetDumper)  # for the tokens' type in _column_types
    with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_column_types())
        yield copy


@dataclass
class Counts:
    total: int
    facets: dict[str, dict]
    in_title: int = 0
    approximate: bool = False

    def scaled(self, rate: int) -> "Counts":
        """A sample's counts as estimates for every item."""
        facets = {name: {v: about(n * rate) for v, n in c.items()} for name, c in self.facets.items()}
        return Counts(about(self.total * rate), facets, self.in_title * rate, True)


@dataclass
class Match:
    """The match as SQL twice: through the GIN index, and by ``strpos`` alone (see ``_where``)."""

    where: str
    params: list
    scan: str
    scan_params: list


@dataclass
class Expected:
    """How many items a search is expected to match (from the sample), of ``items`` indexed."""

    total: int
    in_title: int
    items: int

    def walk(self, matches: int, wanted: int = 0) -> bool:
        """Whether to find a page by walking the date index: that tests about wanted × items / matches rows,
        collecting every match reads ``matches`` rows; so walk when matches² > wanted × items."""
        return matches * matches > max(wanted, 1) * self.items


def _in_title(query: Query) -> tuple[str, list]:
    return " AND ".join("strpos(title, %s) > 0" for _t in query.terms), [t.text for t in query.terms]


class PostgresBackend(SearchBackend):
    name = "postgres"

    def __init__(self, index_dir: str = ""):
        super().__init__(index_dir)
        self._sessions = BulkSessions()

    # Writing ----------------------------------------------------------------------------------------------
    def items_changed(self, item_ids: Iterable[int], new_items=None) -> None:
        if new_items:  # just filed: nothing of them is indexed yet
            session = self._session()
            if session is None or not session.add(new_items):
                self.copy_rows(list(map(from_row, map(item_row, new_items))))
            return
        item_ids = sorted(set(item_ids))
        self._take_back(item_ids)
        self.index_in_line(item_ids)

    def items_deleted(self, item_ids: Iterable[int]) -> None:
        item_ids = sorted(set(item_ids))
        self._take_back(item_ids)
        self._delete(item_ids)

    def _session(self) -> "postgres_bulk.CopySession | None":
        return self._sessions.current if connection.in_atomic_block else None

    def _take_back(self, item_ids: list[int]) -> None:
        # A bulk block's child holding uncommitted rows of these items would block this change to them.
        session = self._session()
        if session is not None and session.holds(item_ids):
            session.take_back()

    def index_in_line(self, item_ids: list[int]) -> None:
        """The items' rows made afresh from the database, in the caller's transaction."""
        with transaction.atomic():
            self._delete(item_ids)
            self._copy(document_batches(item_ids, COPY_CHUNK))

    def catch_up(self) -> None:
        """Index the items the outbox still names: a bulk block's child that could not commit its rows."""
        from dangan.search.models import IndexOutbox

        while queued := list(
            IndexOutbox.objects.order_by("pk").values_list("pk", "item_id", "last_item_id")[:OUTBOX_ROWS]
        ):
            ids = [pk for _row, first, last in queued for pk in range(first, (last or first) + 1)]
            with transaction.atomic():
                self.index_in_line(ids)
                IndexOutbox.objects.filter(pk__in=[row[0] for row in queued]).delete()

    def bulk(self, start_at: int | None = None, expected: int = 0):
        """The search rows of items filed inside the block are made by a child process (``postgres_bulk``);
        call the yielded session's ``flush()`` before the transaction commits."""
        start_at = start_at or postgres_bulk.START_AT
        return self._sessions.block(lambda: postgres_bulk.CopySession(self, start_at, expected))

    def _delete(self, ids: list[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE item_id = ANY(%s)", [ids])
                sampled = [pk for pk in ids if in_sample(pk)]
                if sampled:
                    cursor.execute(f"DELETE FROM {SAMPLE_TABLE} WHERE item_id = ANY(%s)", [sampled])

    def _copy(self, batches: Iterable[list[SearchDocument]], progress: Progress | None = None,
              total: int = 0) -> int:
        # Each batch is read whole before its COPY: the connection cannot read while a COPY runs.
        done = 0
        for batch in batches:
            done += self.copy_rows(batch)
            if progress:
                progress(done, total)
        return done

    def copy_rows(self, batch: list[SearchDocument]) -> int:
        """Write the search rows of ``batch``: the table's, and the sample's share; how many."""
        stream = RowStream()
        done = stream.write(batch)
        stream.close()
        return done

    def rebuild(self, progress: Progress | None = None) -> int:
        from dangan.catalogue.models import Item

        total = Item.objects.count()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute(f"TRUNCATE {TABLE}, {SAMPLE_TABLE}")
            # Building the GIN index once after the load is several times faster than updating it per row.
            for index in (*GIN_INDEXES.values(), COARSE_INDEX):
                cursor.execute(f"DROP INDEX IF EXISTS {index}")
            done = self._copy(document_batches(chunk=COPY_CHUNK), progress, total)
            for table in GIN_INDEXES:
                cursor.execute(create_gin_index_sql(table))
            cursor.execute(create_coarse_index_sql())
        if not connection.in_atomic_block:
            # Sets hint bits and the visibility map now, instead of during the first searches.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {TABLE}")
                cursor.execute(f"VACUUM ANALYZE {SAMPLE_TABLE}")
        if progress:
            progress(done, total)
        return done

    def fingerprints(self) -> dict[int, int]:
        return dict(Row.objects.values_list("item_id", "fingerprint"))

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s)", [TABLE, SAMPLE_TABLE]
            )
            return cursor.fetchone()[0]

    # Reading ----------------------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        if request.visibility.nothing:
            return SearchResult(0, [], {})
        where, params = self._where(request.query, request.visibility, request.filters)
        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            result = self._search(request, where, params, cursor)
            if nested:
                # SET LOCAL lasts until the outer transaction ends: give the rest of it the defaults. (After
                # an error the rollback to the savepoint undoes the settings too.)
                for setting in PLANNER_SETTINGS:
                    cursor.execute(f"SET LOCAL {setting} TO DEFAULT")
        return result

    def _search(self, request: SearchRequest, where, params, cursor) -> SearchResult:
        in_title = _in_title(request.query)
        # A bitmap of half a million matches overflows the default 4 MB and turns lossy (every row of a
        # page rechecked); JIT compiling the facet query costs more than the query itself.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        coarse = self._sample_counts(f"{where} AND {COARSE_CLAUSE}", params, request.facets, in_title)
        if coarse.total * COARSE_RATE > COARSE_ABOVE:
            counts = coarse.scaled(COARSE_RATE)
        else:
            sample = self._sample_counts(where, params, request.facets, in_title)
            if sample.total * SAMPLE_RATE <= EXACT_UP_TO:
                return self._read_all(where, params, in_title, request)
            counts = sample.scaled(SAMPLE_RATE)
        # Which way to read a page depends on how many items match, which the planner misjudges for
        # ANDed lexemes by a factor of 100; the sample knows.
        expected = Expected(counts.total, counts.in_title, self._items())
        scan = self._where(request.query, request.visibility, request.filters, index=False)
        match = Match(where, params, *scan)
        if request.sort == DATE:
            walk = expected.walk(expected.total, request.offset + request.limit)
            ids = self._page(match, request.offset, request.limit, walk)
        else:
            ids = self._tiered_page(match, in_title, request.offset, request.limit, expected)
        return SearchResult(counts.total, ids, counts.facets, counts.approximate)

    def matching_ids(self, query: Query, visibility: Visibility) -> set[int]:
        from dangan.search.backends.base import Filters

        if visibility.nothing:
            return set()
        where, params = self._where(query, visibility, Filters())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT item_id FROM {TABLE} WHERE {where}", params)
            return {row[0] for row in cursor.fetchall()}

    def _read_all(self, where, params, in_title, request: SearchRequest) -> SearchResult:
        """A match of a few thousand: read it once (rank, date and facet values of each row) and count,
        facet and rank here, instead of reading the same scattered rows for the count and each tier."""
        title_sql, title_params = in_title
        columns = list(FACET_COLUMNS.values())
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        sql = f"SELECT item_id, date_ordinal, {title_sql}, {', '.join(columns)} FROM {TABLE} WHERE {where}"
        rows = self._fetch(sql, [*title_params, *params])
        facets = {}
        if request.facets:
            facets = {name: Counter(row[3 + i] for row in rows) for i, name in enumerate(FACETS)}
        if request.sort == DATE:
            key = itemgetter(1, 0)
        else:  # every term in the title first, then newest first
            key = itemgetter(2, 1, 0)
        wanted = heapq.nlargest(request.offset + request.limit, rows, key=key)[request.offset :]
        return SearchResult(len(rows), [row[0] for row in wanted], {k: dict(v) for k, v in facets.items()})

    def _sample_counts(self, where, params, with_facets, in_title) -> "Counts":
        """Total and facet counts of the match in the sample, and how many of them have every term in the
        title. Three grouping sets, not one per facet: each costs a hash lookup per row, and the five
        facets with few values are counted together and summed here."""
        title_sql, title_params = in_title
        with connection.cursor() as cursor:
            # Testing the tokens of every sampled row costs more than the GIN index, even for most of them.
            cursor.execute("SET LOCAL enable_seqscan = off")
        if not with_facets:
            sql = f"SELECT count(*), count(*) FILTER (WHERE {title_sql}) FROM {SAMPLE_TABLE} WHERE {where}"
            total, titled = self._fetch(sql, [*title_params, *params])[0]
            return Counts(total, {}, titled)
        small = [FACET_COLUMNS[name] for name in SMALL_FACETS]
        sql = (
            f"SELECT fonds_id, year, {', '.join(small)}, GROUPING(fonds_id), GROUPING(year), count(*), "
            f"count(*) FILTER (WHERE {title_sql}) FROM {SAMPLE_TABLE} WHERE {where} "
            f"GROUP BY GROUPING SETS ((fonds_id), (year), ({', '.join(small)}))"
        )
        counts = Counts(0, {name: {} for name in FACETS})
        for fonds, year, *values, no_fonds, no_year, count, titled in self._fetch(
            sql, [*title_params, *params]
        ):
            if not no_fonds:
                counts.facets["fonds"][fonds] = count
                counts.total += count
                counts.in_title += titled
            elif not no_year:
                counts.facets["year"][year] = count
            else:
                for name, value in zip(SMALL_FACETS, values, strict=True):
                    facet = counts.facets[name]
                    facet[value] = facet.get(value, 0) + count
        return counts

    def _items(self) -> int:
        """How many items the index holds, as the planner's statistics know it (no count)."""
        rows = self._fetch("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        return max(0, int(rows[0][0])) if rows else 0

    def _page(
        self, match: "Match", offset, limit, walk: bool, extra="", extra_params=(), order="", order_params=()
    ):
        with connection.cursor() as cursor:
            # Walk the (date, id) index testing each row until the page is full, or collect every match
            # through the GIN index and sort them: see Expected.walk.
            cursor.execute(f"SET LOCAL enable_bitmapscan = {'off' if walk else 'on'}")
            cursor.execute(f"SET LOCAL enable_indexscan = {'on' if walk else 'off'}")
            cursor.execute("SET LOCAL enable_seqscan = off")
        where, params = (match.scan, match.scan_params) if walk else (match.where, match.params)
        sql = (
            f"SELECT item_id FROM {TABLE} WHERE {where}{extra} "
            f"ORDER BY {order}date_ordinal DESC, item_id DESC LIMIT %s OFFSET %s"
        )
        return [r[0] for r in self._fetch(sql, [*params, *extra_params, *order_params, limit, offset])]

    def _tiered_page(self, match: "Match", in_title, offset, limit, expected: "Expected"):
        """Items with every term in the title first, then the rest; each newest first.

        When the first tier is large, each tier is read along the date index and the size of the first is
        counted only when a page starts beyond it, so the usual first page costs two LIMIT queries."""
        title_sql, title_params = in_title
        if not expected.walk(expected.in_title, offset + limit):
            # Few title matches expected: finding them reads every match anyway, so rank all in one pass.
            return self._page(
                match, offset, limit, False, order=f"({title_sql}) DESC, ", order_params=title_params
            )
        ids = self._page(match, offset, limit, True, f" AND ({title_sql})", title_params)
        if len(ids) == limit:
            return ids
        if ids:
            rest_offset = 0
        else:
            sql = f"SELECT count(*) FROM {TABLE} WHERE {match.where} AND ({title_sql})"
            rest_offset = max(0, offset - self._fetch(sql, match.params + title_params)[0][0])
        wanted = limit - len(ids)
        rest = expected.walk(expected.total - expected.in_title, rest_offset + wanted)
        ids += self._page(match, rest_offset, wanted, rest, f" AND NOT ({title_sql})", title_params)
        return ids

    def _fetch(self, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # Query building ---------------------------------------------------------------------------------------
    def _where(self, query: Query, visibility: Visibility, filters, index=True) -> tuple[str, list]:
        """The match as SQL. ``index``: through the GIN index; else ``strpos`` alone (exact for every term,
        as each value's text is in ``body``), for a walk along the date index, where testing the tokens
        would decompress each row's tsvector (≈ 50 µs a row)."""
        if not index:
            clauses, params = [], []
            for term in query.terms:
                clauses.append(f"strpos({TEXT_COLUMNS.get(term.field or '', 'body')}, %s) > 0")
                params.append(term.text)
            clauses += self._filter_clauses(visibility, filters, params)
            return " AND ".join(clauses), params
        lexemes = []
        clauses, params = [], []
        for term in query.terms:
            text = term.text
            if len(text) == 1:
                lexemes.append(_quote(text) + ":*")
            else:
                lexemes += [_quote(g) for g in sorted({text[i : i + 2] for i in range(len(text) - 1)})]
            # One or two characters in any field: the lexeme is the answer. Otherwise confirm adjacency
            # (and the field) on the normalised text.
            if len(text) > 2 or term.field:
                clauses.append(f"strpos({TEXT_COLUMNS.get(term.field or '', 'body')}, %s) > 0")
                params.append(text)
        where = ["tokens @@ %s::tsquery", *clauses]
        params.insert(0, " & ".join(lexemes))
        where += self._filter_clauses(visibility, filters, params)
        return " AND ".join(where), params

    def _filter_clauses(self, visibility: Visibility, filters, params: list) -> list[str]:
        clauses = []
        # Left out when every level is visible: a count that needs no column can then skip the heap.
        if set(visibility.security_levels) != set(SecurityLevel.values):
            clauses.append("security_level = ANY(%s)")
            params.append(list(visibility.security_levels))
        if visibility.fonds_ids is not None:
            clauses.append("fonds_id = ANY(%s)")
            params.append(sorted(visibility.fonds_ids))
        if visibility.control is not None:
            clauses.append("control = %s")
            params.append(visibility.control)
        if filters.fonds_ids is not None:
            clauses.append("fonds_id = ANY(%s)")
            params.append(sorted(filters.fonds_ids))
        for column, value in (
            ("category_id", filters.category_id),
            ("retention_id", filters.retention_id),
            ("security_level", filters.security_level),
            ("control", filters.control),
            ("has_files", filters.has_files),
        ):
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        if filters.year_from is not None:
            clauses.append("year >= %s")
            params.append(filters.year_from)
        if filters.year_to is not None:
            clauses.append("year <= %s")
            params.append(filters.year_to)
        return clauses


def create_gin_index_sql(table: str = TABLE) -> str:
    return f"CREATE INDEX IF NOT EXISTS {GIN_INDEXES[table]} ON {table} USING gin (tokens)"


def create_coarse_index_sql() -> str:
    return f"CREATE INDEX IF NOT EXISTS {COARSE_INDEX} ON {SAMPLE_TABLE} USING gin (tokens) WHERE " + (
        COARSE_CLAUSE
    )


def about(n: int) -> int:
    """An estimate to two significant digits (12,345 → 12,000): show only the digits that are known."""
    if n < 100:
        return n
    unit = 10 ** (len(str(n)) - 2)
    return round(n / unit) * unit
