"""A catalogue file's rows as cleaned values: each mapped cell normalised (``normalise``), or the reasons not;
then built into new items (``building``).

Reading, normalising and building rows needs neither the database nor the rows before them, so a large file
(a workbook, whose reading costs more than checking and storing its rows, or CSV) is read and parsed by a
child process on the other core while the importer stores the rows before (``parsed_rows``). CSV is read
quickly, so its child also builds the items and runs the filing's field rules on them. A small file is parsed
and built in line. All ways run the same ``RowParser`` and ``RowBuilder``.
"""

import os
import pickle
import queue
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from dangan.catalogue.models import Item
from dangan.exchange import normalise
from dangan.exchange.building import RowBuilder
from dangan.exchange.readers import FileRejected, Formula, Table, open_table
from dangan.lib.processes import child_pipes, start_django_child

# A child costs about a second to start (Python, Django): worth it from this many rows on.
PARSE_APART_FROM = 20_000
BATCH = 1000
AHEAD = 50  # batches parsed ahead of the importer, at most (about 10 MB)
ROWS, END, REJECTED, FAILED = "rows", "end", "rejected", "failed"
CHILD = "import django; django.setup(); from dangan.exchange.parsing import main; main()"

CLEANERS = {
    "reference_code": normalise.reference_code,
    "number": lambda v: normalise.whole_number(v, minimum=1),
    "year": normalise.year,
    "org_code": normalise.org_code,
    "document_number": normalise.document_number,
    "creator": normalise.description,
    "title": normalise.description,
    "date": normalise.date,
    "pages": normalise.whole_number,
    "security_level": normalise.security_level,
    "control": normalise.control,
    "remarks": normalise.description,
    "volume": normalise.reference_code,
    "fonds": normalise.reference_code,
    "sequence": lambda v: None,
}

# Columns whose few values repeat from row to row (a catalogue's creators, dates, 密级 …): each text is
# cleaned once, and its rows share the one cleaned object. pickle sends an object it has sent before in the
# same batch as a reference, which the importer reads back without making anything (a date above all,
# otherwise rebuilt by a call). 30k bench rows in-process, the child's work with the pickling and
# unpickling: 24.6 → 23.4 µs a row. (Titles and codes do not repeat; a period is cleaned with its legacy
# mapping counted, row by row.)
REMEMBERED = {"creator", "date", "org_code", "remarks", "security_level", "control", "pages", "year"}
REMEMBER_AT_MOST = 10_000  # values of one column; then forgotten (a column of all-different values)

# A parsed row: (row number, the cells as read, the cleaned values or None, [(target, value, reason) …]).
Parsed = tuple[int, tuple, dict | None, list[tuple[str, object, str]]]
# A built row: the same with a new item instead of the cleaned values.
Built = tuple[int, tuple, Item | None, list[tuple[str, object, str]]]


class RowParser:
    """Cells of a row to the values of its mapped columns (``mapping``: position → target)."""

    def __init__(self, mapping: dict[int, str], retentions: list):
        self.mapping, self.retention_list = mapping, list(retentions)
        # (position, target, cleaner, the cleaned values by the text read: a repeating column's, else None)
        self.columns = [
            (position, target, CLEANERS.get(target), {} if target in REMEMBERED else None)
            for position, target in mapping.items()
        ]
        self.has_extra = any(target.startswith("extra:") for target in mapping.values())
        self.retentions = normalise.Retentions(self.retention_list)
        # (old period, its replacement) → rows: old catalogues' 长期/短期, mapped and reported
        self.legacy: Counter = Counter()

    def parse(self, number: int, values: tuple) -> Parsed:
        data, extra, problems = {}, {}, []
        size = len(values)
        for position, target, clean, known in self.columns:
            value = values[position] if position < size else None
            if isinstance(value, Formula):
                problems.append(
                    (target, value, _("单元格是公式而不是值：请在 Excel 中“粘贴为数值”后再导入"))
                )
                continue
            try:
                if known is not None and type(value) is str:
                    data[target] = _remembered(known, clean, value)
                elif clean is not None:
                    data[target] = clean(value)
                elif target == "retention":
                    data["retention"], legacy = self.retentions.clean(value)
                    if legacy is not None:
                        self.legacy[(legacy.name, data["retention"].name)] += 1
                else:
                    cleaned = normalise.description(value) if isinstance(value, str) else value
                    if cleaned not in (None, ""):
                        extra[target.removeprefix("extra:")] = cleaned
            except normalise.Invalid as e:
                problems.append((target, value, str(e)))
        if self.has_extra:
            data["extra"] = extra
        return number, values, None if problems else data, problems

    def given(self, values: tuple) -> set[str]:
        """The fields a row without problems gives a value for: every mapped one, except a blank 密级 or
        控制标识 (a re-import then leaves the stored one alone)."""
        given = {"extra" if target.startswith("extra:") else target for _p, target, _c, _k in self.columns}
        for position, target, clean, _known in self.columns:
            if target in ("security_level", "control"):
                if clean(values[position] if position < len(values) else None) is None:
                    given.discard(target)
        return given


def parsed_rows(
    table: Table, path: Path, name: str, parser: RowParser, builder: RowBuilder
) -> Iterator[Built]:
    """Every data row of ``table`` (opened from ``path``) parsed and built into a new item, in file order.

    A large file (``parse_apart``) is read again and parsed by a child process, which for CSV also builds
    the items and checks them against the filing's field rules (``RowBuilder.precheck``); the rows arrive in
    batches while the caller works on the ones before. Raises ``FileRejected`` when the file breaks off
    part-way, either way.
    """
    if not parse_apart(table, path):
        for number, values in table.rows:
            yield _built(parser, builder, number, values)
        return
    # The child also builds the items and runs the field rules where it has time to spare: CSV is read
    # quickly, while reading a workbook is already the slowest part of its import (200,000 rows of .xlsx:
    # 55.5 s built in the child, 49.5 s built here).
    yield from _parsed_apart(path, name, parser, builder, build=table.kind == "csv", encoding=table.encoding)


def _remembered(known: dict, clean, value: str):
    """``clean(value)``, from ``known`` when the text was cleaned before."""
    cleaned = known.get(value, known)
    if cleaned is known:
        cleaned = clean(value)  # Invalid: reported, and not remembered
        if len(known) >= REMEMBER_AT_MOST:
            known.clear()
        known[value] = cleaned
    return cleaned


def _built(parser: RowParser, builder: RowBuilder, number: int, values: tuple) -> Built:
    return _build(builder, *parser.parse(number, values))


def _build(builder: RowBuilder, number: int, values: tuple, data: dict | None, problems: list) -> Built:
    """A parsed row built into a new item; a row with problems stays without one."""
    if data is None:
        return number, values, None, problems
    return number, values, *builder.build(data)


def parse_apart(table: Table, path: Path) -> bool:
    """Whether a child should read the file: one of many rows.

    For a workbook it is most of the work (openpyxl: about 120 µs a row). For CSV the child costs more
    processor time in all (the parsed rows are pickled to this process), but the importer, which sets the
    pace, has less to do: 1M rows 88.1 s against 96.3 s in line (three runs each, on a machine where the
    importer was busy throughout and the search indexer was not).
    """
    if table.total is None:  # a workbook that does not state its size: about 60 bytes a row, zipped
        return Path(path).stat().st_size >= PARSE_APART_FROM * 60
    return table.total >= PARSE_APART_FROM


def _parsed_apart(
    path: Path, name: str, parser: RowParser, builder: RowBuilder, build: bool, encoding: str | None
) -> Iterator[Built]:
    retentions = {}
    for retention in parser.retention_list:
        retentions.setdefault(retention.pk, retention)
        if retention.replaced_by_id is not None:
            retentions.setdefault(retention.replaced_by_id, retention.replaced_by)
    child = start_django_child(CHILD)
    try:
        setup = child_setup(path, name, parser, builder, build, encoding)
        pickle.dump(setup, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.close()
        while True:
            try:
                message = pickle.load(child.stdout)
            except EOFError:
                raise RuntimeError("the catalogue parser stopped without a reason (see the log)") from None
            kind = message[0]
            if kind == ROWS and build:
                for number, values, item_values, passed, problems in message[1]:
                    item = None
                    if item_values is not None:
                        item = builder.item_from(item_values)
                        item.rules_passed = passed
                    yield number, values, item, problems
            elif kind == ROWS:
                for number, values, data, problems in message[1]:
                    if data is not None and data.get("retention") is not None:
                        # Sent as its id: the importer's own instances stay the ones every row shares.
                        data["retention"] = retentions.get(data["retention"])
                    yield _build(builder, number, values, data, problems)
            elif kind == END:
                parser.legacy.update(message[1])
                return
            elif kind == REJECTED:
                raise FileRejected(message[1])
            else:
                raise RuntimeError(f"the catalogue parser failed:\n{message[1]}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def child_setup(
    path: Path, name: str, parser: RowParser, builder: RowBuilder, build: bool, encoding: str | None
) -> tuple:
    """The first message to the parsing child (``serve``): everything it needs to parse, build and check
    the rows of ``path`` as ``parser`` and ``builder`` would, without the database (``encoding``: the CSV's,
    found by the importer's reading of it, see ``open_table``)."""
    return (
        str(path),
        name,
        encoding,
        translation.get_language(),
        parser.mapping,
        parser.retention_list,
        (builder.fonds, builder.category, builder.other_fonds, builder.volumes),
        build,
    )


def serve(incoming, outgoing) -> None:
    """The child's side: parse the rows of the file it is told of (and build and check them when told to),
    and send them back in batches."""
    path, name, encoding, language, mapping, retentions, (fonds, category, other_fonds, volumes), build = (
        pickle.load(incoming)
    )
    translation.activate(language or "zh-hans")
    parser = RowParser(mapping, retentions)
    builder = RowBuilder(fonds, category, other_fonds, volumes)
    # Batches are pickled here and written by a thread: the parsing runs on while the importer is busy
    # storing a chunk and not reading, instead of stopping whenever the pipe is full.
    ready: queue.Queue = queue.Queue(maxsize=AHEAD)
    writer = threading.Thread(target=_write_all, args=(ready, outgoing), daemon=True)
    writer.start()

    def send(message):
        ready.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    try:
        # Everything the rows need was sent: the database this child would open need not be the importer's
        # (a test's), nor see its uncommitted transaction.
        with connection.execute_wrapper(_no_queries):
            table = open_table(Path(path), name, encoding)
            try:
                batch = []
                for number, values in table.rows:
                    batch.append(_prepared(parser, builder, number, values, build))
                    if len(batch) >= BATCH:
                        send((ROWS, _checked(builder, batch) if build else batch))
                        batch = []
                send((ROWS, _checked(builder, batch) if build else batch))
            finally:
                table.close()
        send((END, parser.legacy))
    except FileRejected as e:
        send((REJECTED, str(e)))
    except Exception:
        send((FAILED, traceback.format_exc()))
    ready.put(None)
    writer.join()


def _prepared(parser: RowParser, builder: RowBuilder, number: int, values: tuple, build: bool) -> tuple:
    """A row parsed as the child sends it, or built, to be checked with its batch (``_checked``)."""
    if not build:
        number, values, data, problems = parser.parse(number, values)
        if data is not None and data.get("retention") is not None:
            data["retention"] = data["retention"].pk
        return number, values, data, problems
    return _built(parser, builder, number, values)


def _checked(builder: RowBuilder, batch: list[Built]) -> list[tuple]:
    """Built rows as the child sends them: each item's values and whether it passed the filing's field rules
    (see ``_parsed_apart``), checked a batch at a time."""
    items = [item for _number, _values, item, _problems in batch if item is not None]
    passed = iter(builder.precheck(items))  # first: clean() puts the extra fields in their stored form
    return [
        (number, values, None, False, problems) if item is None
        else (number, values, builder.values_of(item), next(passed), problems)
        for number, values, item, problems in batch
    ]


def _no_queries(*args):
    raise RuntimeError("the catalogue parser must not query the database")


def _write_all(ready: queue.Queue, outgoing) -> None:
    while (data := ready.get()) is not None:
        try:
            outgoing.write(data)
            outgoing.flush()
        except BrokenPipeError:  # the importer stopped reading: nothing more to do
            os._exit(0)


def main() -> None:
    incoming, outgoing = child_pipes()
    try:
        serve(incoming, outgoing)
    finally:
        try:
            outgoing.close()
        except BrokenPipeError:
            pass
    sys.exit(0)
