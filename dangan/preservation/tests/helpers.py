import io

from dangan.core.jobs import claim_next, run
from dangan.core.models import Job
from dangan.preservation.services import ingest_file


def add_file(item, data: bytes, name: str, user=None, **kwargs):
    return ingest_file(item, io.BytesIO(data), name, user=user, **kwargs)


def run_jobs(*names) -> list[Job]:
    """Run queued jobs (only ``names`` if given) in this process, as a worker would."""
    from dangan.preservation.services import ensure_job

    # Capture queues these on commit, which a test's transaction never reaches.
    for name in names:
        ensure_job(name)
    ran = []
    for _ in range(20):
        pending = Job.objects.filter(status="pending")
        if names:
            pending = pending.filter(name__in=names)
        if not pending.exists():
            break
        job = claim_next("test")
        if names and job.name not in names:
            job.status = "pending"
            job.save()
            continue
        ran.append(run(job))
    return ran
