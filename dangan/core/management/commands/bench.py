"""``dangan bench <what>``: benchmarks that build realistic data and print figures.

Each benchmark is a module with ``add_arguments(parser)`` and ``run(options, write)``, listed in BENCHES;
a new one (``bench import``, ``bench ingest``) is one more line there.
"""

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
        module.run(options, lambda line="": self.stdout.write(line))
