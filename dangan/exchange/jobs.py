"""The import as a background job: validation and commit run here, with progress on the job page."""

from dangan.core.jobs import JobRun, job


@job("exchange.import")
def import_batch(run: JobRun, batch: int, commit: bool = True) -> dict:
    from dangan.exchange.choices import BatchStatus
    from dangan.exchange.models import ImportBatch
    from dangan.exchange.services import run_batch

    try:
        outcome = run_batch(batch, commit=commit, progress=lambda done, total: run.progress(done, total))
    except Exception:
        # The job records the traceback; the batch must not stay "queued" with its buttons hidden.
        ImportBatch.objects.filter(pk=batch).update(status=BatchStatus.FAILED)
        raise
    run.progress(outcome.rows, outcome.rows, force=True)
    if outcome.fatal:
        run.log(outcome.fatal)
    return {
        "batch": batch,
        "rows": outcome.rows,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "errors": len(outcome.errors),
        "committed": outcome.committed,
    }
