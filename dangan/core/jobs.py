"""The one job queue: jobs are rows in the database, run by ``dangan worker`` (or a thread of ``dangan up``).

A job is a function registered under a name::

    @job("catalogue.import")
    def import_catalogue(run: JobRun, path: str, fonds: int): ...

``enqueue("catalogue.import", path=..., fonds=...)`` stores it; a worker claims it (one worker per job, on
PostgreSQL with ``SKIP LOCKED`` so many workers on many machines share the queue), calls the function and
records progress, log, result or error. Periodic jobs are registered in code with ``@periodic``.
"""

import datetime
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from dangan.core.choices import JobStatus
from dangan.core.context import Actor, acting_as, current_actor
from dangan.core.models import Job, PeriodicRun
from dangan.lib.processes import process_alive

logger = logging.getLogger(__name__)

_registry: dict[str, Callable] = {}
_periodic: dict[str, datetime.timedelta] = {}


def job(name: str):
    def register(function):
        _registry[name] = function
        return function

    return register


def periodic(name: str, every: datetime.timedelta):
    """Register ``name`` (already a ``@job``) to be enqueued by a worker once per ``every``."""
    _periodic[name] = every


def registered() -> dict[str, Callable]:
    return dict(_registry)


def enqueue(name: str, **params) -> Job:
    if name not in _registry:
        raise KeyError(f"no job named {name!r}")
    actor = current_actor()
    return Job.objects.create(
        name=name, params=params, created_by_id=actor.user_id, created_by_name=actor.name
    )


@dataclass
class JobRun:
    """What a running job function gets: its row, and ways to report progress without a write per row."""

    job: Job
    min_interval: float = 0.5
    _last_write: float = 0.0

    @property
    def params(self) -> dict:
        return self.job.params

    def progress(self, done: int, total: int | None = None, force: bool = False) -> None:
        self.job.done = done
        if total is not None:
            self.job.total = total
        now = time.monotonic()
        if force or now - self._last_write >= self.min_interval:
            self._last_write = now
            Job.objects.filter(pk=self.job.pk).update(done=self.job.done, total=self.job.total)

    def log(self, line: str) -> None:
        self.job.log += line.rstrip("\n") + "\n"
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log)


def claim_next(worker: str) -> Job | None:
    with transaction.atomic():
        pending = Job.objects.filter(status=JobStatus.PENDING).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        job_row = pending.first()
        if job_row is None:
            return None
        job_row.status = JobStatus.RUNNING
        job_row.started_at = timezone.now()
        job_row.worker = worker
        job_row.save(update_fields=["status", "started_at", "worker"])
    return job_row


def run(job_row: Job) -> Job:
    """Run one claimed job to its end, recording success or the error; never raises."""
    function = _registry.get(job_row.name)
    run_state = JobRun(job_row)
    actor = Actor(job_row.created_by_id, job_row.created_by_name or "system")
    try:
        if function is None:
            raise KeyError(f"no job named {job_row.name!r} in this version of Dangan")
        with acting_as(actor):
            result = function(run_state, **job_row.params)
        job_row.status = JobStatus.SUCCEEDED
        job_row.result = result if isinstance(result, dict) else {"result": result}
    except Exception as e:  # a job's failure is its own record, not the worker's end
        logger.exception("job %s failed", job_row)
        job_row.status = JobStatus.FAILED
        job_row.error = f"{type(e).__name__}: {e}"
        job_row.log += traceback.format_exc()
    job_row.finished_at = timezone.now()
    job_row.save(update_fields=["status", "result", "error", "log", "finished_at", "done", "total"])
    return job_row


def enqueue_due_periodic(now: datetime.datetime | None = None) -> list[Job]:
    now = now or timezone.now()
    started = []
    for name, every in _periodic.items():
        with transaction.atomic():
            PeriodicRun.objects.bulk_create(
                [PeriodicRun(name=name, last_started=now - every)], ignore_conflicts=True
            )
            state = PeriodicRun.objects.select_for_update().get(name=name)
            if now - state.last_started >= every:
                state.last_started = now
                state.save(update_fields=["last_started"])
                started.append(enqueue(name))
    return started


def recover_abandoned() -> int:
    """Fail the jobs left running by dead worker processes of this host, so none stays 'running' forever."""
    host = socket.gethostname()
    stale = []
    for pk, worker in Job.objects.filter(status=JobStatus.RUNNING, worker__startswith=f"{host}:").values_list(
        "pk", "worker"
    ):
        pid = int(worker.split(":")[1]) if worker.split(":")[1].isdigit() else None
        if pid is None or not process_alive(pid):
            stale.append(pk)
    return Job.objects.filter(pk__in=stale).update(
        status=JobStatus.FAILED,
        error="the worker stopped while the job ran; submit it again",
        finished_at=timezone.now(),
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _refresh_connection() -> None:
    # A long-lived worker drops stale connections between jobs; never inside a caller's transaction
    # (a test's, or a command run in atomic()), which closing would break.
    if not connection.in_atomic_block:
        close_old_connections()


def work(stop: threading.Event, poll: float = 1.0, once: bool = False) -> int:
    """Run jobs until ``stop`` is set (or, with ``once``, until the queue is empty); return how many ran."""
    name = f"{worker_name()}:{threading.get_ident()}"
    recover_abandoned()
    count = 0
    while not stop.is_set():
        _refresh_connection()
        enqueue_due_periodic()
        job_row = claim_next(name)
        if job_row is None:
            if once:
                break
            stop.wait(poll)
            continue
        run(job_row)
        count += 1
    _refresh_connection()
    return count


def start_worker_thread(poll: float = 1.0) -> threading.Event:
    """A worker inside the web process, for the embedded default where no separate worker runs."""
    stop = threading.Event()
    threading.Thread(target=work, args=(stop, poll), name="dangan-worker", daemon=True).start()
    return stop
