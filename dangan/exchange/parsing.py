"""A catalogue file's rows as cleaned values: each mapped cell normalised (``normalise``), or the reasons not.

Reading and normalising rows needs neither the database nor the rows before them, so a large file (a
workbook, whose reading costs more than checking and storing its rows, or CSV) is read and parsed by a child
process on the other core while the importer checks and stores the rows already parsed (``parsed_rows``).
A small one is parsed in line. Both ways run the same ``RowParser``.
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

from django.utils import translation
from django.utils.translation import gettext as _

from dangan.exchange import normalise
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

# A parsed row: (row number, the cells as read, the cleaned values or None, [(target, value, reason) …]).
Parsed = tuple[int, tuple, dict | None, list[tuple[str, object, str]]]


class RowParser:
    """Cells of a row to the values of its mapped columns (``mapping``: position → target)."""

    def __init__(self, mapping: dict[int, str], retentions: list):
        self.mapping, self.retention_list = mapping, list(retentions)
        self.columns = [(position, target, CLEANERS.get(target)) for position, target in mapping.items()]
        self.has_extra = any(target.startswith("extra:") for target in mapping.values())
        self.retentions = normalise.Retentions(self.retention_list)
        # (old period, its replacement) → rows: old catalogues' 长期/短期, mapped and reported
        self.legacy: Counter = Counter()

    def parse(self, number: int, values: tuple) -> Parsed:
        data, extra, problems = {}, {}, []
        size = len(values)
        for position, target, clean in self.columns:
            value = values[position] if position < size else None
            if isinstance(value, Formula):
                problems.append(
                    (target, value, _("单元格是公式而不是值：请在 Excel 中“粘贴为数值”后再导入"))
                )
                continue
            try:
                if clean is not None:
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


def parsed_rows(table: Table, path: Path, name: str, parser: RowParser) -> Iterator[Parsed]:
    """Every data row of ``table`` (opened from ``path``) parsed, in file order.

    A large spreadsheet (``parse_apart``) is read again and parsed by a child process; the rows arrive in
    batches while the caller works on the ones before. Raises ``FileRejected`` when the file
    breaks off part-way, either way.
    """
    if not parse_apart(table, path):
        for number, values in table.rows:
            yield parser.parse(number, values)
        return
    yield from _parsed_apart(path, name, parser)


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


def _parsed_apart(path: Path, name: str, parser: RowParser) -> Iterator[Parsed]:
    by_pk = {}
    for retention in parser.retention_list:
        by_pk.setdefault(retention.pk, retention)
        if retention.replaced_by_id is not None:
            by_pk.setdefault(retention.replaced_by_id, retention.replaced_by)
    child = start_django_child(CHILD)
    try:
        setup = (str(path), name, translation.get_language(), parser.mapping, parser.retention_list)
        pickle.dump(setup, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.close()
        while True:
            try:
                message = pickle.load(child.stdout)
            except EOFError:
                raise RuntimeError("the catalogue parser stopped without a reason (see the log)") from None
            kind = message[0]
            if kind == ROWS:
                for number, values, data, problems in message[1]:
                    if data is not None and "retention" in data:
                        # Sent as its id: the importer's own instances stay the ones every row shares.
                        data["retention"] = by_pk.get(data["retention"])
                    yield number, values, data, problems
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


def serve(incoming, outgoing) -> None:
    """The child's side: parse the file it is told of and send the rows back in batches."""
    path, name, language, mapping, retentions = pickle.load(incoming)
    translation.activate(language or "zh-hans")
    parser = RowParser(mapping, retentions)
    # Batches are pickled here and written by a thread: the parsing runs on while the importer is busy
    # storing a chunk and not reading, instead of stopping whenever the pipe is full.
    ready: queue.Queue = queue.Queue(maxsize=AHEAD)
    writer = threading.Thread(target=_write_all, args=(ready, outgoing), daemon=True)
    writer.start()

    def send(message):
        ready.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    try:
        table = open_table(Path(path), name)
        try:
            batch = []
            for number, values in table.rows:
                number, values, data, problems = parser.parse(number, values)
                if data is not None and data.get("retention") is not None:
                    data["retention"] = data["retention"].pk
                batch.append((number, values, data, problems))
                if len(batch) >= BATCH:
                    send((ROWS, batch))
                    batch = []
            send((ROWS, batch))
        finally:
            table.close()
        send((END, parser.legacy))
    except FileRejected as e:
        send((REJECTED, str(e)))
    except Exception:
        send((FAILED, traceback.format_exc()))
    ready.put(None)
    writer.join()


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
