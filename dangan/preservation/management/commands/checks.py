from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangan.catalogue.models import Fonds, Item
from dangan.core.context import Actor, acting_as
from dangan.preservation import reports
from dangan.preservation.checks import run_checks
from dangan.preservation.choices import Stage
from dangan.preservation.models import DigitalFile


class Command(BaseCommand):
    help = (
        "Four-property checks (DA/T 70): `dangan checks run [--stage capture|transfer|preservation] "
        "[--fonds N | --item CODE] [--xlsx FILE]`; transfer and preservation re-read every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--stage", choices=Stage.values, default=Stage.PRESERVATION)
        parser.add_argument("--fonds")
        parser.add_argument("--item")
        parser.add_argument("--xlsx", help="write the batch report to this spreadsheet")

    def handle(self, *args, action, stage, fonds, item, xlsx, **options):
        files = DigitalFile.objects.complete()
        title = "dangan checks run"
        if fonds:
            if not Fonds.objects.filter(number=fonds).exists():
                raise CommandError(f"no fonds {fonds}")
            files, title = (
                files.filter(item__fonds__number=fonds) | files.filter(volume__fonds__number=fonds),
                fonds,
            )
        if item:
            if not Item.objects.filter(reference_code=item).exists():
                raise CommandError(f"no item {item}")
            files, title = files.filter(item__reference_code=item), item
        with acting_as(Actor(None, "dangan checks")):
            run = run_checks(files, stage, title=title, rehash=stage != Stage.CAPTURE)
        self.stdout.write(
            f"check run #{run.pk} ({run.get_stage_display()}): {run.files} files, {run.passed} "
            f"passed, {run.warnings} with warnings, {run.failed} failed"
        )
        if xlsx:
            Path(xlsx).write_bytes(
                reports.xlsx(
                    str(run),
                    run.results.select_related("check_item", "file", "item", "volume"),
                    [("files", run.files), ("failed", run.failed)],
                )
            )
            self.stdout.write(f"report written to {xlsx}")
        if run.failed:
            raise SystemExit(1)
