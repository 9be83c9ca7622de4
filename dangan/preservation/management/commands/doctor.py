from django.core.management.base import BaseCommand

from dangan.preservation.services import mark_dangling, recover_interrupted, remove_orphans, storage_report
from dangan.preservation.storage import get_storage


class Command(BaseCommand):
    help = "Check file storage: orphan blobs (stored, unreferenced), dangling records (referenced, missing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="remove what interrupted ingests left, delete orphan blobs, flag missing files",
        )

    def handle(self, *args, repair, **options):
        self.stdout.write(f"storage: {get_storage().describe()}")
        if repair:
            recovered = recover_interrupted()
            self.stdout.write(
                f"interrupted ingests cleared: {recovered['rows']} file(s), "
                f"{recovered['staging_files']} staging file(s)"
            )
            abort_uploads = getattr(get_storage(), "abort_stale_uploads", None)  # object storage only
            if abort_uploads:
                self.stdout.write(f"unfinished multipart uploads (over 24 h) aborted: {abort_uploads()}")
        report = storage_report()
        self.stdout.write(f"orphan blobs (stored, referenced by no file): {len(report.orphans)}")
        for key in report.orphans[:50]:
            self.stdout.write(f"  {key}")
        self.stdout.write(f"dangling files (referenced, missing from storage): {len(report.dangling)}")
        for pk, description in report.dangling[:50]:
            self.stdout.write(f"  file #{pk} {description}")
        self.stdout.write(f"files still being ingested or left by a killed ingest: {report.stale_pending}")
        self.stdout.write(f"staging files left by dead processes: {report.staging_files}")
        if repair:
            self.stdout.write(f"orphan blobs removed: {remove_orphans(report)}")
            self.stdout.write(f"files flagged missing: {mark_dangling(report)}")
        elif not report.healthy:
            self.stdout.write("run `dangan doctor --repair` to clear leftovers and flag missing files")
        if not report.healthy and not repair:
            raise SystemExit(1)
