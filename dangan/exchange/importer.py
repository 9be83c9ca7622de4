"""Importing a catalogue file: read, normalise, check every row, then store all of it or none of it.

One pass over the file inside one transaction: rows are parsed and normalised (``parsing``: by a child process
for a large file), then handed in chunks to
the catalogue's own bulk services (``file_items_in_bulk`` for new rows, ``update_items_in_bulk`` for rows that
match a stored record), which hold the one set of validation rules, numbering, audit and search indexing.
Any error anywhere, or a dry run, rolls the whole transaction back, so "validate" and "commit" are the same
code and a file commits completely or not at all. Memory stays bounded by the chunk, not the file.
"""

import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from dangan.catalogue import references
from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.catalogue.services import (
    BulkValidationError,
    ReferenceCodes,
    file_items_in_bulk,
    stored_codes,
    update_items_in_bulk,
)
from dangan.exchange.choices import MatchKey
from dangan.exchange.columns import FIELD_LABELS, detect, target_label
from dangan.exchange.parsing import RowParser, parsed_rows
from dangan.exchange.readers import FileRejected, open_table
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


_RELATED_FIELDS = {name: Item._meta.get_field(name) for name in ("fonds", "category", "retention", "volume")}


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
            with (nullcontext() if dry_run else bulk_indexing()) as indexing, transaction.atomic():
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


@dataclass
class _Row:
    number: int
    values: tuple
    data: dict
    item: Item | None = None


class _Importer:
    def __init__(self, outcome, table, path, name, fonds, category, user, mapping, key, progress, chunk_size):
        self.outcome, self.table, self.fonds = outcome, table, fonds
        self.path, self.name = path, name  # read again by the parsing child of a large workbook
        # Its extra field definitions are read for every row: once here, not once per row.
        self.category = Category.objects.prefetch_related("fields").get(pk=category.pk)
        self.user, self.mapping, self.key = user, mapping, key
        self.progress, self.chunk_size = progress, chunk_size
        self.parser = RowParser(mapping, Retention.objects.select_related("replaced_by"))
        self.column_of = {target: position for position, target in mapping.items()}
        self.seen: dict[str, int] = {}  # reference code (or key value) → first row with it
        self.fonds_by_number = {fonds.number: fonds}
        self.volumes: dict[str, Volume] | None = None
        # Each field's default, worked out once (a callable default such as dict is called per row).
        fields = Item._meta.concrete_fields
        self.item_attnames = [f.attname for f in fields]
        self.item_defaults = {f.attname: f.get_default() for f in fields}
        self.item_made_defaults = [
            (f.attname, f.default) for f in fields if f.has_default() and callable(f.default)
        ]
        self.plain_init = not (signals.pre_init.has_listeners(Item) or signals.post_init.has_listeners(Item))
        self.scope_patterns: dict[str, re.Pattern] = {}
        self.codes = ReferenceCodes()

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
        for number, values, data, problems in parsed_rows(self.table, self.path, self.name, self.parser):
            self.outcome.rows += 1
            for target, value, reason in problems:
                self.error(number, target, value, reason)
            if data is not None:
                chunk.append(_Row(number, values, data))
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
        for row in chunk:
            row.item = self.build(row)
        chunk = [row for row in chunk if row.item is not None]
        existing = self.existing(chunk)
        new_rows, changed_rows, fields = [], [], set()
        for row in chunk:
            stored = existing.get(self.match_value(row))
            if stored is None:
                new_rows.append(row)
            elif self.apply_changes(stored, row, fields):
                changed_rows.append(row)
            else:
                self.outcome.unchanged += 1
        self.store(new_rows, lambda items: file_items_in_bulk(items, user=self.user), "created")
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

    # One row ------------------------------------------------------------------------------------------------
    def build(self, row: _Row) -> Item | None:
        data = row.data
        fonds = self.row_fonds(row)
        if fonds is None:
            return None
        retention = data.get("retention")
        values = {
            "fonds_id": fonds.pk,
            "category_id": self.category.pk,
            "retention_id": retention.pk if retention else None,
            "year": data.get("year"),
            "org_code": data.get("org_code", ""),
            "number": data.get("number"),
            "title": data.get("title", ""),
            "creator": data.get("creator", ""),
            "document_number": data.get("document_number", ""),
            "date": data.get("date"),
            "pages": data.get("pages"),
            "remarks": data.get("remarks", ""),
            "extra": data.get("extra", {}),
        }
        if values["year"] is None and values["date"] is not None:
            values["year"] = values["date"].year  # DA/T 22 files a document in the year it was formed
        for name in ("security_level", "control"):
            if data.get(name):
                values[name] = data[name]
        item = self.new_item(values)
        self.cache(item, "fonds", fonds)
        self.cache(item, "category", self.category)
        if retention:
            self.cache(item, "retention", retention)
        if data.get("volume") and not self.put_in_volume(row, item):
            return None
        if not self.check_code(row, item):
            return None
        return item

    def new_item(self, values: dict) -> Item:
        # Positional, as Django builds instances it reads from the database: several times cheaper than
        # keyword arguments, which matters at a million rows. Missing values take the field's default.
        given = self.item_defaults | values
        for attname, make in self.item_made_defaults:
            if attname not in values:
                given[attname] = make()
        if self.plain_init:
            # What Model.__init__ does with a value for every field, without its per-field setattr loop and
            # signals (nothing listens to Item's): a fresh state and the values in the instance's dict.
            item = Item.__new__(Item)
            item._state = ModelState()
            item.__dict__.update(given)
            return item
        return Item(*map(given.__getitem__, self.item_attnames))

    @staticmethod
    def cache(item: Item, name: str, related) -> None:
        # The id is set already; the object itself serves the row's checks without a query.
        _RELATED_FIELDS[name].set_cached_value(item, related)

    def row_fonds(self, row: _Row) -> Fonds | None:
        number = row.data.get("fonds")
        if not number:
            return self.fonds
        if number not in self.fonds_by_number:
            self.fonds_by_number[number] = Fonds.objects.filter(number=number).first()
        fonds = self.fonds_by_number[number]
        if fonds is None:
            self.error(row.number, "fonds", number, _("全宗不存在"))
        return fonds

    def put_in_volume(self, row: _Row, item: Item) -> bool:
        if self.volumes is None:
            volumes = Volume.objects.filter(fonds=self.fonds, category=self.category).select_related(
                "retention"
            )
            self.volumes = {v.reference_code: v for v in volumes}
        volume = self.volumes.get(row.data["volume"])
        if volume is None:
            self.error(row.number, "volume", row.data["volume"], _("本全宗、门类中没有这个案卷"))
            return False
        item.volume_id, item.year, item.retention_id = volume.pk, volume.year, volume.retention_id
        self.cache(item, "volume", volume)
        self.cache(item, "retention", volume.retention)
        return True

    def check_code(self, row: _Row, item: Item) -> bool:
        """A reference code in the file must be the one the row's classification and number give."""
        given = row.data.get("reference_code")
        if item.year is None or item.retention is None:
            return True  # the missing field is reported by validation
        scope = self.codes.scope(item)
        if not given:
            if item.number:
                item.reference_code = self.codes.code(scope, item.number)
            return True
        if item.number:
            expected = self.codes.code(scope, item.number)
            if expected != given:
                self.error(
                    row.number,
                    "reference_code",
                    given,
                    _("档号与本行的全宗、门类、年度、保管期限、机构和件号应得的 %(expected)s 不符")
                    % {"expected": expected},
                )
                return False
        else:
            match = self.scope_pattern(scope).match(given)
            if match is None:
                shown = scope.replace(references.NUMBER_SLOT, "（件号）")
                self.error(
                    row.number,
                    "reference_code",
                    given,
                    _("档号与本行的全宗、门类、年度、保管期限和机构应得的 %(expected)s 不符")
                    % {"expected": shown},
                )
                return False
            item.number = int(match.group(1))
        item.reference_code = given
        return True

    def scope_pattern(self, scope: str) -> re.Pattern:
        if scope not in self.scope_patterns:
            before, after = scope.split(references.NUMBER_SLOT)
            self.scope_patterns[scope] = re.compile(f"^{re.escape(before)}(\\d+){re.escape(after)}$")
        return self.scope_patterns[scope]

    # Matching stored records ----------------------------------------------------------------------------
    def match_value(self, row: _Row) -> str:
        if self.key == MatchKey.DOCUMENT_NUMBER:
            return row.item.document_number
        return row.item.reference_code

    def existing(self, chunk: list[_Row]) -> dict[str, Item]:
        """Stored items the rows match, each matched once: a second row with the same key is an error."""
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
        stored = Item.objects.select_related("fonds", "category", "retention")
        if self.key == MatchKey.DOCUMENT_NUMBER:
            stored = stored.filter(fonds=self.fonds, category=self.category)
        else:
            keys = list(stored_codes(keys))  # a new catalogue matches nothing: only a cheap lookup then
        for start in range(0, len(keys), LOOKUP_CHUNK):
            part = keys[start : start + LOOKUP_CHUNK]
            for item in stored.filter(**{f"{self.key}__in": part}):
                found[getattr(item, self.key)] = item
        return found

    def apply_changes(self, stored: Item, row: _Row, fields: set) -> bool:
        """Copy the values the file has a column for onto the stored item; whether any differed.

        A column left out of the file, or a blank 密级/控制标识, leaves the stored value alone.
        """
        provided = {
            "retention_id" if target == "retention" else target
            for target, value in row.data.items()
            if value not in (None, "") or target not in ("security_level", "control")
        }
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
