import time

from django.core.management.base import BaseCommand, CommandError

from dangan.lib.progress import ProgressBar
from dangan.search import indexing
from dangan.search.backends import get_backend


class Command(BaseCommand):
    help = "The full-text search index: rebuild it (reindex) or compare it with the catalogue (check)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("reindex", help="rebuild the index from every item")
        check = sub.add_parser("check", help="report items missing from or stale in the index")
        check.add_argument("--repair", action="store_true", help="also re-index what the check found")

    def handle(self, *args, action, **options):
        backend = get_backend()
        self.stdout.write(f"search backend: {backend.name}")
        if action == "reindex":
            started = time.monotonic()
            with ProgressBar(self.stderr._out, unit="items") as bar:
                count = indexing.rebuild(bar)
            elapsed = max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"indexed {count} items in {elapsed:.1f} s ({count / elapsed:,.0f}/s)")
            return
        with ProgressBar(self.stderr._out, unit="items checked") as bar:
            report = indexing.check(bar)
        self.stdout.write(
            f"items: {report.items}; missing: {len(report.missing)}; stale: {len(report.stale)}; "
            f"orphaned: {len(report.orphaned)}"
        )
        for label, ids in (
            ("missing", report.missing),
            ("stale", report.stale),
            ("orphaned", report.orphaned),
        ):
            if ids:
                self.stdout.write(f"{label}: {', '.join(map(str, ids[:50]))}{' …' if len(ids) > 50 else ''}")
        if not report.ok:
            if options["repair"]:
                indexing.repair(report)
                self.stdout.write("repaired")
            else:
                raise CommandError("the index is not in step: run with --repair, or `dangan search reindex`")
