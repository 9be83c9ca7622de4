"""``dangan bench <what>``: benchmarks that build realistic data and print figures.

Each benchmark is a module with ``add_arguments(parser)`` and ``run(options, write)``, listed in BENCHES;
a new one (``bench import``, ``bench ingest``) is one more line there.
"""

import time
from importlib import import_module

from django.core.management.base import BaseCommand

BENCHES = {
    "search": ("dangan.search.bench", "full-text search: query latency, recall against LIKE, index build"),
    "ingest": ("dangan.preservation.bench", "file capture, fixity audit, SM3 and OCR throughput"),
    "import": ("dangan.exchange.bench", "catalogue import: rows/s and peak memory, CSV and XLSX"),
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
        write(f"machine: one core ran the reference Python loop ({REFERENCE_STEPS:,} steps) in "
              f"{reference_loop_seconds():.2f} s")
        module.run(options, lambda line="": write(line))


# The shared machines these figures come from change speed by a third within minutes and by half between
# sessions; a fixed piece of Python timed right before a benchmark says which machine its figures are from.
REFERENCE_STEPS = 10_000_000


def reference_loop_seconds(steps: int = REFERENCE_STEPS) -> float:
    """Seconds one core takes for ``steps`` additions in a plain Python loop: the fastest of three runs of a
    third of them, times three, so that a moment's stall of a shared machine does not count."""
    best = float("inf")
    for _run in range(3):
        started, total = time.perf_counter(), 0
        for step in range(steps // 3):
            total += step
        best = min(best, time.perf_counter() - started)
    return best * 3
