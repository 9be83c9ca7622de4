"""The import as a background job: the web UI's commit runs here, with its progress on the job page."""

from dangan.core.jobs import JobRun, job


@job("exchange.import")
def import_batch(run: JobRun, batch: int, commit: bool = True) -> dict:
    from dangan.exchange.services import run_batch

    outcome = run_batch(batch, commit=commit, progress=lambda done, total: run.progress(done, total))
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
