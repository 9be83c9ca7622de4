import datetime

from dangan.core.jobs import JobRun, job, periodic
from dangan.search import indexing
from dangan.search.backends import get_backend


@job("search.reindex")
def reindex(run: JobRun) -> dict:
    count = indexing.rebuild(lambda done, total: run.progress(done, total))
    return {"indexed": count}


@job("search.catch_up")
def catch_up(run: JobRun) -> dict:
    """Apply queued index changes, should the process that made them have stopped before it could."""
    get_backend().catch_up()
    return {}


periodic("search.catch_up", datetime.timedelta(minutes=1))
