from django.core.management.base import BaseCommand, CommandError

from dangan.lib.progress import ProgressBar
from dangan.preservation.fixity import audit


class Command(BaseCommand):
    help = "Fixity: `dangan fixity audit` re-reads every stored file on all cores and compares digests."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["audit"])
        parser.add_argument("--workers", type=int, default=None, help="hashing threads (default: all cores)")
        parser.add_argument("--sm3", action="store_true", help="compare SM3 as well as SHA-256 (slower)")

    def handle(self, *args, action, workers, sm3, **options):
        with ProgressBar(self.stderr._out, unit="files") as bar:
            report = audit(workers=workers, sm3=sm3, progress=bar)
        self.stdout.write(report.summary())
        if report.damaged or report.missing:
            raise CommandError(f"fixity alert: {report.damaged} damaged, {report.missing} missing")
