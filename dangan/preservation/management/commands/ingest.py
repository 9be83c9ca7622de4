from django.core.management.base import BaseCommand, CommandError

from dangan.core.context import Actor, acting_as
from dangan.lib.progress import ProgressBar
from dangan.preservation.bags import BagProblem, import_bag
from dangan.preservation.folders import find_fonds, ingest_folder
from dangan.preservation.services import IngestError, recover_interrupted


class Command(BaseCommand):
    help = (
        "Capture files: `dangan ingest folder PATH --fonds N [--map SHEET]` (a folder per item named by "
        "its reference code, or a spreadsheet of reference code → file), `dangan ingest bag PATH`."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["folder", "bag"])
        parser.add_argument("path")
        parser.add_argument("--fonds", help="全宗号 (folder ingest)")
        parser.add_argument("--map", help="spreadsheet (xlsx/csv) with columns 档号 and 文件")

    def handle(self, *args, kind, path, fonds, map, **options):
        with acting_as(Actor(None, "dangan ingest")):
            # Whatever a killed earlier run left (pending files, staging files) goes first.
            recovered = recover_interrupted()
            if recovered["rows"] or recovered["staging_files"]:
                self.stdout.write(f"cleared an interrupted ingest: {recovered['rows']} file(s)")
            try:
                result = self._folder(path, fonds, map) if kind == "folder" else import_bag(path)
            except BagProblem as e:
                raise CommandError("bag refused:\n  " + "\n  ".join(e.problems)) from e
            except IngestError as e:
                raise CommandError(str(e)) from e
        for problem in result.problems:
            self.stderr.write(f"problem: {problem}")
        self.stdout.write(self._summary(result))
        if result.problems:
            raise CommandError(f"{len(result.problems)} problem(s)")

    def _folder(self, path, fonds, sheet):
        if not fonds:
            raise CommandError("--fonds is required for a folder ingest")

        with ProgressBar(self.stderr._out, unit="files") as bar:
            return ingest_folder(path, find_fonds(fonds), sheet=sheet, progress=bar)

    def _summary(self, result) -> str:
        if hasattr(result, "items"):
            return (
                f"imported {result.volumes} volume(s), {result.items} item(s), {result.files} file(s); "
                f"{result.skipped_files} already present"
            )
        return (
            f"captured {result.files} file(s) ({result.bytes} bytes) for {result.records} record(s); "
            f"{result.skipped} already present"
        )
