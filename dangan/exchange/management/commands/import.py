from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangan.core.context import Actor, acting_as
from dangan.exchange import reports
from dangan.exchange.choices import MatchKey
from dangan.exchange.cli import find_category, find_fonds, find_user
from dangan.exchange.importer import import_catalogue
from dangan.lib.progress import ProgressBar


class Command(BaseCommand):
    help = "Import a catalogue (.xlsx, .xls, .csv) into a fonds and category: all rows or none."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        catalogue = sub.add_parser("catalogue", help="a catalogue of items (归档文件目录)")
        catalogue.add_argument("file", type=Path)
        catalogue.add_argument("--fonds", required=True, help="全宗号")
        catalogue.add_argument("--category", required=True, help="门类代码, e.g. WS")
        catalogue.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
        catalogue.add_argument(
            "--key",
            choices=MatchKey.values,
            default=MatchKey.REFERENCE_CODE,
            help="how a row finds the record it updates on a re-import",
        )
        catalogue.add_argument("--user", help="import as this user (checked like a filing by them)")
        catalogue.add_argument("--report", type=Path, help="write every error to this .csv or .xlsx")

    def handle(self, *args, what, file, fonds, category, dry_run, key, user, report, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        user = find_user(user)
        actor = Actor(user.pk, user.username) if user else Actor(None, "dangan import")
        with acting_as(actor), ProgressBar(self.stderr._out, unit="rows") as bar:
            outcome = import_catalogue(
                file,
                fonds=find_fonds(fonds),
                category=find_category(category),
                user=user,
                key=key,
                dry_run=dry_run,
                progress=bar,
            )
        if report:
            write = reports.write_xlsx if report.suffix.lower() == ".xlsx" else reports.write_csv
            write(outcome.errors, report)
        for notice in outcome.notices:
            self.stdout.write(notice)
        if outcome.fatal:
            raise CommandError(outcome.fatal)
        for row, column, value, reason in outcome.errors[:50]:
            self.stderr.write(f"row {row} [{column}] {value!r}: {reason}")
        if outcome.errors:
            more = f" (all of them in {report})" if report else " (use --report FILE for all of them)"
            raise CommandError(f"{len(outcome.errors)} error(s) in {outcome.rows} rows; nothing stored{more}")
        verb = "checked (dry run, nothing stored)" if dry_run else "imported"
        self.stdout.write(
            f"{verb}: {outcome.rows} rows; {outcome.created} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged"
        )
