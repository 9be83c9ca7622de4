"""``dangan bench import-stages``: each process's share of an import, timed on its own in CPU-µs a row.

A whole 1M-row import (``dangan bench import``) moves by several per cent from run to run on a shared
machine, more than most single changes gain. Here each stage's own work is run in this process, on a slice
of the 1M-row bench catalogue (its chunks span as few classes of codes as the whole one's), several times,
and its CPU time is read. The best of the runs still follows the machine's speed (within about 3 % between
invocations on the twelfth session's machine, where whole 1M runs moved by 6 %), so compare two versions
by running them alternately, stage by stage. The stages are the work of the import's processes:

- the parsing child's: ``parsing.serve`` reads, parses, builds and checks the rows and pickles their batches
  for a pipe that takes them at once;
- the importer's: ``import_catalogue`` into a new fonds, with the search child started with the block and
  sent every batch as filed (as a large import's, which says how many rows it brings); only this process's
  CPU, not its children's;
- the search child's: each item's document and the backend's form of it (PostgreSQL: the search table's
  row with its token set; tantivy: the engine's document), a thousand items at a time as the child gets them;
  not the unpickling of the items before, nor the COPY or tantivy's own indexing thread after.
"""

import io
import pickle
import resource
import tempfile
import time
from pathlib import Path

from dangan.catalogue.models import Category, Fonds, Item
from dangan.exchange import parsing
from dangan.exchange.bench import write_csv
from dangan.exchange.columns import detect
from dangan.exchange.importer import import_catalogue, parser_and_builder
from dangan.exchange.readers import open_table
from dangan.search.backends import get_backend
from dangan.search.backends.base import MESSAGE_ITEMS
from dangan.search.documents import from_row, rows
from dangan.units.models import Unit

FONDS_PREFIX = "STG"  # the stages' fonds: STG1, STG2 … (a new one for each import)
UNIT_CODE = "STAGES"


def add_arguments(parser):
    parser.add_argument("--rows", type=int, default=30_000, help="rows each stage works on")
    parser.add_argument("--of", type=int, default=1_000_000, help="rows of the catalogue they are a slice of")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each stage (the best one counts)")


def run(options, write):
    from dangan.testing import make_fonds, make_unit

    count, of, repeat = options["rows"], max(options["of"], options["rows"]), options["repeat"]
    start = (of - count) * 3 // 10  # inside the catalogue, past its first years
    unit = Unit.objects.filter(code=UNIT_CODE).first()
    unit = unit or make_unit("区档案局（分段基准测试）", "bureau", code=UNIT_CODE)
    category = Category.objects.prefetch_related("fields").get(code="WS")
    write(f"stages: {count:,} rows from row {start + 1:,} of a {of:,}-row catalogue; best of {repeat} runs")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "slice.csv"
        fonds = None
        imported = []
        for _run in range(repeat):
            fonds = make_fonds(unit, _free_number())
            write_csv(path, count, fonds.number, start=start, of=of)
            imported.append(_importer_seconds(path, fonds, category, count))
        parsed = [_parsing_seconds(path, fonds, category) for _run in range(repeat)]
    items = [tuple(row) for row in rows(Item.objects.filter(fonds=fonds))]
    made = [_document_seconds(items) for _run in range(repeat)]
    for name, seconds, per in (
        ("parsing child", parsed, count),
        ("importer (its own process)", imported, count),
        (f"search child ({get_backend().name})", made, len(items)),
    ):
        each = " ".join(f"{s / per * 1e6:.1f}" for s in seconds)
        write(f"  {name}: {min(seconds) / per * 1e6:.1f} CPU-µs a row (runs: {each})")


def _free_number() -> str:
    taken = set(Fonds.objects.filter(number__startswith=FONDS_PREFIX).values_list("number", flat=True))
    return next(f"{FONDS_PREFIX}{n}" for n in range(1, len(taken) + 2) if f"{FONDS_PREFIX}{n}" not in taken)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _importer_seconds(path: Path, fonds: Fonds, category: Category, count: int) -> float:
    started = _own_cpu()
    # The import's own bulk block, opened first and told of the rows, so that its search child starts with
    # it and takes every batch as filed, none read back, as in a large import.
    with get_backend().bulk(start_at=1, expected=count):
        outcome = import_catalogue(path, fonds=fonds, category=category)
    seconds = _own_cpu() - started
    if not outcome.ok or outcome.created != count:
        raise RuntimeError(f"the stage's import failed: {outcome.fatal or outcome.errors[:3]}")
    return seconds


class _Discard(io.RawIOBase):
    """The pipe to the importer, as if it read every batch at once."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)


def _parsing_seconds(path: Path, fonds: Fonds, category: Category) -> float:
    table = open_table(path, path.name)
    try:
        mapping = detect(table.headers, category)[0]
    finally:
        table.close()
    parser, builder = parser_and_builder(fonds, category, mapping)
    setup = pickle.dumps(parsing.child_setup(path, path.name, parser, builder, True, table.encoding))
    started = time.process_time()  # with the thread that writes the batches
    parsing.serve(io.BytesIO(setup), io.BufferedWriter(_Discard()))
    return time.process_time() - started


def _document_seconds(items: list[tuple]) -> float:
    backend = get_backend()
    if backend.name == "postgres":
        from dangan.search.backends.postgres import rows_values as prepared
    else:

        def prepared(documents):
            return list(backend.to_tantivy(documents))

    started = time.process_time()
    for first in range(0, len(items), MESSAGE_ITEMS):
        prepared(list(map(from_row, items[first : first + MESSAGE_ITEMS])))
    return time.process_time() - started
