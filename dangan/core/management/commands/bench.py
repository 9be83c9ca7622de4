"""``dangan bench <what>``: benchmarks that build realistic data and print figures.

Each benchmark is a module with ``add_arguments(parser)`` and ``run(options, write)``, listed in BENCHES;
a new one (``bench import``, ``bench ingest``) is one more line there.
"""

import os
import pickle
import platform
import sys
import time
from importlib import import_module

from django.core.management.base import BaseCommand

BENCHES = {
    "search": ("dangan.search.bench", "full-text search: query latency, recall against LIKE, index build"),
    "ingest": ("dangan.preservation.bench", "file capture, fixity audit, SM3 and OCR throughput"),
    "import": ("dangan.exchange.bench", "catalogue import: rows/s and peak memory, CSV and XLSX"),
    "import-stages": ("dangan.exchange.stages_bench", "an import's processes: CPU-µs a row each"),
}


class Command(BaseCommand):
    help = "Run a benchmark (it writes a large synthetic catalogue: use an empty database for it)."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
        for name, (module, description) in BENCHES.items():
            sub = subparsers.add_parser(name, help=description, description=description)
            import_module(module).add_arguments(sub)

    def handle(self, *args, bench, **options):
        module = import_module(BENCHES[bench][0])
        write = self.stdout.write
        loop, objects = reference_seconds()
        write(
            f"machine: one core's reference Python loop {loop:.2f} s, reference objects {objects:.2f} s; "
            f"{interpreter()}"
        )
        module.run(options, lambda line="": write(line))


# The shared machines these figures come from change speed by a third within minutes and by half between
# sessions, and not the same way for all work: a fixed piece of Python timed right before a benchmark says
# which machine its figures are from. Two pieces: one that stays in the core's caches (a loop) and one that
# goes to memory (a catalogue's worth of small objects made, pickled and sorted), which the import's work
# resembles more and which a busy neighbour on the same host slows more.
REFERENCE_STEPS = 10_000_000
REFERENCE_OBJECTS = 100_000


def reference_seconds() -> tuple[float, float]:
    """Seconds one core takes for the loop (``REFERENCE_STEPS`` additions) and for the objects
    (``REFERENCE_OBJECTS`` rows): the fastest of three runs each, so a moment's stall does not count."""
    return min(_timed(_loop) for _run in range(3)), min(_timed(_objects) for _run in range(3))


def interpreter() -> str:
    """Which Python runs the benchmark: builds of one version differ by a sixth in the import's CPU (a
    pyenv build without profile-guided optimisation against Debian's own), so figures name theirs."""
    return f"Python {platform.python_version()} at {os.path.realpath(sys.executable)}"


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _loop():
    total = 0
    for step in range(REFERENCE_STEPS):
        total += step


def _objects():
    rows = [(n, f"WS·{2000 + n % 24}-{n:07d}", {"pages": n % 40}) for n in range(REFERENCE_OBJECTS)]
    pickle.loads(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    sorted(rows, key=lambda row: row[1][::-1])
