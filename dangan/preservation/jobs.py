"""Background work after capture (SM3, checks, text and OCR) and the periodic preservation checks."""

import datetime

from django.db import transaction

from dangan.core.jobs import JobRun, job, periodic
from dangan.preservation import hashing
from dangan.preservation.choices import EventType, FileStatus, Stage
from dangan.preservation.models import DigitalFile, PreservationEvent, default_agent
from dangan.preservation.storage import BlobMissing, get_storage

BATCH = 200


@job("preservation.sm3")
def compute_sm3(run: JobRun) -> dict:
    """SM3 of every stored file that lacks one; an item is complete without it, so this runs afterwards."""
    todo = DigitalFile.objects.complete().filter(sm3__isnull=True).order_by("pk")
    total, done, missing = todo.count(), 0, 0
    storage = get_storage()
    # values_list, not only(): an audited model snapshots every field when loaded, deferred ones included.
    for pk, storage_key, sha256 in todo.values_list("pk", "storage_key", "sha256").iterator(chunk_size=BATCH):
        try:
            with storage.open(storage_key) as stream:
                digests = hashing.digest_stream(stream, ("sha256", "sm3"))
        except BlobMissing:
            missing += 1
            continue
        with transaction.atomic():
            if digests["sha256"] != sha256:
                DigitalFile.objects.filter(pk=pk).update(status=FileStatus.DAMAGED)
                PreservationEvent.objects.create(
                    file_id=pk,
                    event_type=EventType.FIXITY_CHECK,
                    agent=default_agent(),
                    outcome="failure",
                    detail="SHA-256 changed before SM3 was computed",
                )
                continue
            DigitalFile.objects.filter(pk=pk).update(sm3=digests["sm3"])
            PreservationEvent.objects.create(
                file_id=pk,
                event_type=EventType.MESSAGE_DIGEST,
                agent=default_agent(),
                detail=f"SM3 {digests['sm3']}",
                data={"sm3": digests["sm3"]},
            )
        done += 1
        run.progress(done, total)
    return {"files": done, "missing": missing}


@job("preservation.identify")
def identify(run: JobRun) -> dict:
    from dangan.preservation.services import identify_pending

    return {"files": identify_pending(progress=run.progress)}


@job("preservation.capture_checks")
def capture_checks(run: JobRun) -> dict:
    from dangan.preservation.checks import run_checks
    from dangan.preservation.services import identify_pending

    identify_pending()  # the checks judge formats: identify what a bulk ingest left first

    todo = DigitalFile.objects.complete().filter(checked_at__isnull=True)
    if not todo.exists():
        return {"files": 0}
    result = run_checks(todo, Stage.CAPTURE, title="归档捕获检测")
    return {"run": result.pk, "files": result.files, "failed": result.failed}


@job("preservation.extract_text")
def extract_text(run: JobRun) -> dict:
    from dangan.preservation.extraction import extract_pending
    from dangan.preservation.services import identify_pending

    identify_pending()
    return extract_pending(progress=run.progress)


@job("preservation.fixity_audit")
def fixity_audit(run: JobRun, sm3: bool = False) -> dict:
    from dangan.preservation.fixity import audit

    report = audit(sm3=sm3, progress=run.progress)
    run.log(report.summary())
    return {
        "files": report.files,
        "damaged": report.damaged,
        "missing": report.missing,
        "mb_per_second": round(report.mb_per_second, 1),
    }


@job("preservation.periodic_checks")
def periodic_checks(run: JobRun) -> dict:
    from dangan.preservation.checks import run_checks

    result = run_checks(DigitalFile.objects.complete(), Stage.PRESERVATION, title="定期检测")
    return {"run": result.pk, "files": result.files, "failed": result.failed}


periodic("preservation.fixity_audit", datetime.timedelta(days=7))
periodic("preservation.periodic_checks", datetime.timedelta(days=30))
