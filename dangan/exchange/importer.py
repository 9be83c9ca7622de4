"""Importing a catalogue file: read, normalise, check every row, then store all of it or none of it.

One pass over the file inside one transaction: rows are parsed, normalised and built into items (``parsing``,
``building``: by a child process for a large file), then handed in chunks to
the catalogue's own bulk services (``file_items_in_bulk`` for new rows, ``update_items_in_bulk`` for rows that
match a stored record), which hold the one set of validation rules, numbering, audit and search indexing.
Any error anywhere, or a dry run, rolls the whole transaction back, so "validate" and "commit" are the same
code and a file commits completely or not at all. Memory stays bounded by the chunk, not the file.
"""

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.catalogue.services import (
    BulkValidationError,
    file_items_in_bulk,
    stored_codes,
    update_items_in_bulk,
)
from dangan.exchange.building import RowBuilder
from dangan.exchange.choices import MatchKey
from dangan.exchange.columns import FIELD_LABELS, detect, target_label
from dangan.exchange.parsing import RowParser, parsed_rows
from dangan.exchange.readers import FileRejected, open_table
from dangan.lib.garbage import collector_paused
from dangan.search.indexing import bulk_indexing

CHUNK_SIZE = 5000
LOOKUP_CHUNK = 900
# Fields a re-import may change on a stored record; classification (fonds, year, retention, org) is part
# of the reference code the row was matched by, so a change there is refused by update_items_in_bulk.
UPDATABLE = (
    "title",
    "creator",
    "document_number",
    "date",
    "pages",
    "security_level",
    "control",
    "remarks",
    "extra",
    "year",
    "retention_id",
    "org_code",
)
# Model field → the import column it came from, for naming the column in an error.
FIELD_TO_TARGET = {
    "retention": "retention",
    "year": "year",
    "org_code": "org_code",
    "number": "number",
    "title": "title",
    "creator": "creator",
    "document_number": "document_number",
    "date": "date",
    "pages": "pages",
    "security_level": "security_level",
    "control": "control",
    "remarks": "remarks",
    "volume": "volume",
    "fonds": "fonds",
}


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (row, column, value, reason), in file order
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    fatal: str = ""
    committed: bool = False
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.fatal


class _Rollback(Exception):
    pass


def import_catalogue(
    path: Path,
    *,
    fonds: Fonds,
    category: Category,
    user=None,
    name: str = "",
    mapping: dict[int, str] | None = None,
    key: str = MatchKey.REFERENCE_CODE,
    dry_run: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Outcome:
    """Import ``path`` into ``fonds`` and ``category`` as ``user`` (checked like any filing by them)."""
    outcome = Outcome()
    if user is not None and not Fonds.objects.restrict(user, "file").filter(pk=fonds.pk).exists():
        outcome.fatal = _("您无权向全宗“%(fonds)s”归档") % {"fonds": fonds}
        return outcome
    try:
        table = open_table(path, name)
    except FileRejected as e:
        outcome.fatal = str(e)
        return outcome
    outcome.encoding = table.encoding
    try:
        if mapping is None:
            mapping = detect(table.headers, category)[0]
        missing = _missing_columns(mapping)
        if missing:
            outcome.fatal = missing
            return outcome
        importer = _Importer(outcome, table, Path(path), name, fonds, category, user, mapping, key, progress,
                             chunk_size)
        try:
            # A dry run is rolled back anyway: nothing to index ahead of a commit.
            with (
                collector_paused(),
                (nullcontext() if dry_run else bulk_indexing(expected=table.total or 0)) as indexing,
                transaction.atomic(),
            ):
                importer.run()
                if not outcome.ok or dry_run:
                    raise _Rollback
                indexing.flush()
                outcome.committed = True
        except _Rollback:
            pass
        except FileRejected as e:  # the file broke off part-way: nothing of it stays
            outcome.fatal = str(e)
        importer.report_legacy()
    finally:
        table.close()
    if outcome.rows == 0 and not outcome.fatal:
        outcome.fatal = _("文件只有表头，没有数据行")
    return outcome


def _missing_columns(mapping: dict[int, str]) -> str:
    targets = set(mapping.values())
    if "title" not in targets:
        return _("找不到“题名”列：请检查表头，或在列对应中指定")
    if "year" not in targets and "date" not in targets and "reference_code" not in targets:
        return _("找不到“年度”或“日期”列：请检查表头，或在列对应中指定")
    return ""


def parser_and_builder(
    fonds: Fonds, category: Category, mapping: dict[int, str]
) -> tuple[RowParser, RowBuilder]:
    """What reads an import's rows (``mapping``: column → target) and builds its items for ``fonds`` and
    ``category`` (best with its extra fields prefetched: they are read for every row)."""
    targets = set(mapping.values())
    builder = RowBuilder(
        fonds,
        category,
        # Every fonds and volume a row may name, read once (the district has hundreds of fonds).
        {f.number: f for f in Fonds.objects.all()} if "fonds" in targets else {},
        {
            v.reference_code: v
            for v in Volume.objects.filter(fonds=fonds, category=category).select_related("retention")
        } if "volume" in targets else {},
    )
    return RowParser(mapping, Retention.objects.select_related("replaced_by")), builder


@dataclass
class _Row:
    number: int
    values: tuple  # the cells as read
    item: Item


class _Importer:
    def __init__(self, outcome, table, path, name, fonds, category, user, mapping, key, progress, chunk_size):
        self.outcome, self.table, self.fonds = outcome, table, fonds
        self.path, self.name = path, name  # read again by the parsing child of a large workbook
        # Its extra field definitions are read for every row: once here, not once per row.
        self.category = Category.objects.prefetch_related("fields").get(pk=category.pk)
        self.user, self.mapping, self.key = user, mapping, key
        self.progress, self.chunk_size = progress, chunk_size
        self.parser, self.builder = parser_and_builder(fonds, self.category, mapping)
        self.column_of = {target: position for position, target in mapping.items()}
        self.seen: dict[str, int] = {}  # reference code (or key value) → first row with it

    # Reporting ----------------------------------------------------------------------------------------------
    def error(self, row: int, target: str | None, value, reason: str) -> None:
        column = target_label(target, self.category) if target else ""
        if target in self.column_of:
            column = self.table.headers[self.column_of[target]] or column
        shown = "" if value is None else str(value)
        self.outcome.errors.append((row, column, shown[:200], str(reason)))

    def report_legacy(self) -> None:
        for (old, new), count in sorted(self.parser.legacy.items()):
            self.outcome.notices.append(
                _("%(count)d 行的旧保管期限“%(old)s”已按规定映射为“%(new)s”")
                % {"count": count, "old": old, "new": new}
            )

    # The pass -----------------------------------------------------------------------------------------------
    def run(self) -> None:
        for row, column, value, reason in self.table.cell_problems:
            self.outcome.errors.append((row, _column_letter(column), value, reason))
        chunk: list[_Row] = []
        for number, values, item, problems in parsed_rows(
            self.table, self.path, self.name, self.parser, self.builder
        ):
            self.outcome.rows += 1
            for target, value, reason in problems:
                self.error(number, target, value, reason)
            if item is not None:
                chunk.append(_Row(number, values, item))
            if len(chunk) >= self.chunk_size:
                self.flush(chunk)
                chunk = []
            if self.progress and self.outcome.rows % 1000 == 0:
                self.progress(self.outcome.rows, self.table.total)
        self.flush(chunk)
        if self.progress:
            self.progress(self.outcome.rows, self.outcome.rows)

    def flush(self, chunk: list[_Row]) -> None:
        if not chunk:
            return
        existing, unused_codes = self.existing(chunk)
        new_rows, changed_rows, fields = [], [], set()
        for row in chunk:
            stored = existing.get(self.match_value(row))
            if stored is None:
                new_rows.append(row)
            elif self.apply_changes(stored, row, fields):
                changed_rows.append(row)
            else:
                self.outcome.unchanged += 1
        self.store(
            new_rows,
            # The chunk as one batch: one insert, one hand-off to the search index (a few statements each)
            lambda items: file_items_in_bulk(
                items, batch_size=len(items), user=self.user, unused_codes=unused_codes
            ),
            "created",
        )
        self.store(
            changed_rows, lambda items: update_items_in_bulk(items, sorted(fields), user=self.user), "updated"
        )

    def store(self, rows: list[_Row], save, counter: str) -> None:
        if not rows:
            return
        try:
            save([row.item for row in rows])
        except BulkValidationError as e:
            for index, fields in sorted(e.rows.items()):
                row = rows[index]
                for name, messages in fields.items():
                    self.model_errors(row, name, messages)
            return
        setattr(self.outcome, counter, getattr(self.outcome, counter) + len(rows))

    def model_errors(self, row: _Row, name: str, messages: list[str]) -> None:
        target = FIELD_TO_TARGET.get(name)
        if name == "extra":
            target = None
        if name == "number" and "number" not in self.column_of:
            target = "reference_code"
        value = row.values[self.column_of[target]] if target in self.column_of else None
        if target and target not in self.column_of:
            target = None
            messages = [f"{_label(name)}：{m}" for m in messages]
        for message in messages:
            self.error(row.number, target if name != NON_FIELD_ERRORS else None, value, message)

    # Matching stored records ----------------------------------------------------------------------------
    def match_value(self, row: _Row) -> str:
        if self.key == MatchKey.DOCUMENT_NUMBER:
            return row.item.document_number
        return row.item.reference_code

    def existing(self, chunk: list[_Row]) -> tuple[dict[str, Item], set[str]]:
        """Stored items the rows match, each matched once: a second row with the same key is an error; and
        the rows' reference codes found unused (matching by 档号), which the filing need not look up again."""
        keys = []
        for row in list(chunk):
            value = self.match_value(row)
            if not value:
                continue
            if value in self.seen:
                what = _("文号") if self.key == MatchKey.DOCUMENT_NUMBER else _("档号")
                self.error(
                    row.number,
                    self.key,
                    value,
                    _("%(what)s与第 %(row)d 行重复") % {"what": what, "row": self.seen[value]},
                )
                chunk.remove(row)
                continue
            self.seen[value] = row.number
            keys.append(value)
        found: dict[str, Item] = {}
        unused: set[str] = set()
        stored = Item.objects.select_related("fonds", "category", "retention")
        if self.key == MatchKey.DOCUMENT_NUMBER:
            stored = stored.filter(fonds=self.fonds, category=self.category)
        else:
            in_use = stored_codes(keys)  # a new catalogue matches nothing: only a cheap lookup then
            unused = {key for key in keys if key not in in_use}
            keys = list(in_use)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            part = keys[start : start + LOOKUP_CHUNK]
            for item in stored.filter(**{f"{self.key}__in": part}):
                found[getattr(item, self.key)] = item
        return found, unused

    def apply_changes(self, stored: Item, row: _Row, fields: set) -> bool:
        """Copy the values the file has a column for onto the stored item; whether any differed.

        A column left out of the file, or a blank 密级/控制标识, leaves the stored value alone.
        """
        given = self.parser.given(row.values)
        provided = {"retention_id" if target == "retention" else target for target in given}
        if "extra" in provided:
            row.item.extra = self.cleaned_extra(row.item.extra)
        changed = False
        for name in UPDATABLE:
            if name in provided and getattr(stored, name) != getattr(row.item, name):
                setattr(stored, name, getattr(row.item, name))
                fields.add(name)
                changed = True
        row.item = stored
        return changed

    def cleaned_extra(self, extra: dict) -> dict:
        # As stored (numbers as numbers), so an unchanged row compares equal; errors are reported later.
        try:
            return self.category.validate_extra(extra)
        except ValidationError:
            return extra


def _label(name: str) -> str:
    try:
        return str(Item._meta.get_field(name).verbose_name)
    except Exception:
        return FIELD_LABELS.get(name, name)


def _column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return _("%(letter)s 列") % {"letter": get_column_letter(column)}
