"""Search inside PostgreSQL: nothing outside the database to keep in step, so several web and worker
machines share it. The index is the ``SearchDocument`` table, written in the item's own transaction.

A term of two characters is one lexeme of the GIN-indexed ``tokens`` tsvector, one character a prefix of
lexemes (see ``pg_tokens``); both are exact. A longer term is the AND of its bigrams (the GIN index finds
candidates) confirmed by ``strpos`` on the normalised text. Nothing depends on the database's locale
(pg_trgm would see no CJK under LC_CTYPE C).

Ranking is by tiers, then date: items with every term in the title first, the rest after, each newest
first. Each tier is read through the (date, id) index with ``LIMIT``, so a term in half a million items
still stops after a page, instead of ranking every match as ``ts_rank`` would (≈ 480 ms for 569k hits).
Counts and facets come from one ``GROUPING SETS`` query over the match.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from dangan.catalogue.choices import SecurityLevel
from dangan.search.backends.base import DATE, FACETS, Progress, SearchBackend, SearchRequest, SearchResult
from dangan.search.documents import SearchDocument, documents
from dangan.search.models import SearchDocument as Row
from dangan.search.text import Query
from dangan.search.visibility import Visibility

TABLE = Row._meta.db_table
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
GIN_INDEX = "search_doc_tokens"
COPY_CHUNK = 5000


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_tokens(value: str) -> set[str]:
    """Every adjacent pair, and the last character alone: each character then begins at least one token,
    so a one-character query is a prefix search (``'x':*``) and the index holds half the entries that
    every single character as well would need."""
    if not value:
        return set()
    return {value[i : i + 2] for i in range(len(value) - 1)} | {value[-1]}


def tsvector_literal(doc: SearchDocument) -> str:
    """Each distinct token of the item once, without positions or weights: presence is all the GIN index
    answers (fields and adjacency are checked with ``strpos``), and a bare lexeme needs no recheck."""
    distinct = set()
    for values in doc.fields.values():
        for value in values:
            distinct |= pg_tokens(value)
    return " ".join(map(_quote, distinct))


def row_values(doc: SearchDocument) -> tuple:
    first = {name: (values[0] if values else "") for name, values in doc.fields.items()}
    body = "\n".join(v for values in doc.fields.values() for v in values)
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
        first["title"],
        first["creator"],
        first["document_number"],
        body,
        tsvector_literal(doc),
    )


class PostgresBackend(SearchBackend):
    name = "postgres"

    # Writing ----------------------------------------------------------------------------------------------
    def items_changed(self, item_ids: Iterable[int]) -> None:
        ids = sorted(set(item_ids))
        with transaction.atomic():
            self._delete(ids)
            self._copy(documents(ids))

    def items_deleted(self, item_ids: Iterable[int]) -> None:
        self._delete(sorted(set(item_ids)))

    def _delete(self, ids: list[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE item_id = ANY(%s)", [ids])

    def _copy(self, docs: Iterable[SearchDocument], progress: Progress | None = None, total: int = 0) -> int:
        done = 0
        batch: list[tuple] = []
        # Rows are read a chunk at a time and copied after: the connection cannot read while a COPY runs.
        for doc in docs:
            batch.append(row_values(doc))
            if len(batch) >= COPY_CHUNK:
                done += self._copy_rows(batch)
                batch = []
                if progress:
                    progress(done, total)
        return done + self._copy_rows(batch)

    def _copy_rows(self, batch: list[tuple]) -> int:
        if batch:
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for values in batch:
                        copy.write_row(values)
        return len(batch)

    def rebuild(self, progress: Progress | None = None) -> int:
        from dangan.catalogue.models import Item

        total = Item.objects.count()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute(f"TRUNCATE {TABLE}")
            # Building the GIN index once after the load is several times faster than updating it per row.
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            done = self._copy(documents(chunk=5000), progress, total)
            cursor.execute(create_gin_index_sql())
        if not connection.in_atomic_block:
            # Sets hint bits and the visibility map now, instead of during the first searches.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {TABLE}")
        if progress:
            progress(done, total)
        return done

    def fingerprints(self) -> dict[int, int]:
        return dict(Row.objects.values_list("item_id", "fingerprint"))

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
            return cursor.fetchone()[0]

    # Reading ----------------------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        if request.visibility.nothing:
            return SearchResult(0, [], {})
        where, params = self._where(request.query, request.visibility, request.filters)
        with transaction.atomic(), connection.cursor() as cursor:
            # A bitmap of half a million matches overflows the default 4 MB and turns lossy (every row of a
            # page rechecked); JIT compiling the facet query costs more than the query itself.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
            total, facets = self._counts(where, params, request.facets)
            if request.sort == DATE:
                ids = self._page(where, params, request.offset, request.limit)
            else:
                ids = self._tiered_page(where, params, request.query, request.offset, request.limit)
        return SearchResult(total, ids, facets)

    def matching_ids(self, query: Query, visibility: Visibility) -> set[int]:
        from dangan.search.backends.base import Filters

        if visibility.nothing:
            return set()
        where, params = self._where(query, visibility, Filters())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT item_id FROM {TABLE} WHERE {where}", params)
            return {row[0] for row in cursor.fetchall()}

    def _counts(self, where, params, with_facets):
        if not with_facets:
            return self._fetch(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)[0][0], {}
        columns = list(FACET_COLUMNS.values())
        sets = ", ".join(f"({c})" for c in columns)
        grouping = ", ".join(f"GROUPING({c})" for c in columns)
        sql = (
            f"SELECT {', '.join(columns)}, {grouping}, count(*) "
            f"FROM {TABLE} WHERE {where} GROUP BY GROUPING SETS ({sets}, ())"
        )
        total = 0
        facets: dict[str, dict] = {name: {} for name in FACETS}
        n = len(columns)
        for row in self._fetch(sql, params):
            values, flags, count = row[:n], row[n : 2 * n], row[2 * n]
            if all(flags):
                total = count
                continue
            index = flags.index(0)
            facets[FACETS[index]][values[index]] = count
        return total, facets

    def _page(self, where, params, offset, limit, extra="", extra_params=()):
        sql = (
            f"SELECT item_id FROM {TABLE} WHERE {where}{extra} "
            f"ORDER BY date_ordinal DESC, item_id DESC LIMIT %s OFFSET %s"
        )
        return [r[0] for r in self._fetch(sql, [*params, *extra_params, limit, offset])]

    def _tiered_page(self, where, params, query, offset, limit):
        """Items with every term in the title first, then the rest; each newest first.

        The size of the first tier is counted only when a page starts beyond it, so the usual first page
        costs two LIMIT queries and no pass over every match."""
        in_title = " AND ".join("strpos(title, %s) > 0" for _t in query.terms)
        title_params = [t.text for t in query.terms]
        ids = self._page(where, params, offset, limit, f" AND ({in_title})", title_params)
        if len(ids) == limit:
            return ids
        if ids:
            rest_offset = 0
        else:
            sql = f"SELECT count(*) FROM {TABLE} WHERE {where} AND ({in_title})"
            rest_offset = max(0, offset - self._fetch(sql, params + title_params)[0][0])
        ids += self._page(
            where, params, rest_offset, limit - len(ids), f" AND NOT ({in_title})", title_params
        )
        return ids

    def _fetch(self, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # Query building ---------------------------------------------------------------------------------------
    def _where(self, query: Query, visibility: Visibility, filters) -> tuple[str, list]:
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


def create_gin_index_sql() -> str:
    return f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {TABLE} USING gin (tokens)"
