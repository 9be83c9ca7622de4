import datetime
import threading

import pytest
from django.utils import timezone

from dangan.core import jobs
from dangan.core.choices import JobStatus
from dangan.core.context import Actor, acting_as
from dangan.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_registered_periodic_jobs(monkeypatch):
    # Apps register real periodic jobs (fixity audits …); these tests count only the jobs they enqueue.
    monkeypatch.setattr(jobs, "_periodic", {})


@jobs.job("test.count")
def count_to(run, upto: int):
    for n in range(1, upto + 1):
        run.progress(n, upto)
    run.log(f"counted to {upto}")
    return {"counted": upto}


@jobs.job("test.fail")
def fail(run):
    raise ValueError("row 3, column 日期: 2023-02-30 is not a date")


def test_enqueued_job_runs_and_records_progress_result_and_submitter():
    with acting_as(Actor(7, "archivist")):
        job = jobs.enqueue("test.count", upto=5)
    assert jobs.work(threading.Event(), once=True) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.result == {"counted": 5} and "counted to 5" in job.log
    assert job.created_by_name == "archivist"


def test_a_failing_job_is_recorded_with_its_error_and_the_worker_goes_on():
    failing = jobs.enqueue("test.fail")
    following = jobs.enqueue("test.count", upto=1)
    assert jobs.work(threading.Event(), once=True) == 2
    failing.refresh_from_db()
    following.refresh_from_db()
    assert failing.status == JobStatus.FAILED and "2023-02-30" in failing.error
    assert following.status == JobStatus.SUCCEEDED


def test_unknown_job_names_are_refused_at_submission():
    with pytest.raises(KeyError):
        jobs.enqueue("no.such.job")


def test_a_claimed_job_is_not_claimed_twice():
    jobs.enqueue("test.count", upto=1)
    assert jobs.claim_next("w1") is not None
    assert jobs.claim_next("w2") is None


def test_jobs_left_running_by_a_dead_worker_are_failed_not_lost():
    alive = Job.objects.create(name="test.count", status=JobStatus.RUNNING, worker=f"{jobs.worker_name()}:1")
    dead = Job.objects.create(name="test.count", status=JobStatus.RUNNING,
                              worker=f"{jobs.socket.gethostname()}:999999999:1")
    assert jobs.recover_abandoned() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED and alive.status == JobStatus.RUNNING


def test_periodic_job_is_enqueued_once_per_period():
    jobs.periodic("test.count", datetime.timedelta(hours=1))

    def due(now):  # other apps register periodic jobs of their own
        return [job for job in jobs.enqueue_due_periodic(now) if job.name == "test.count"]

    try:
        now = timezone.now()
        assert len(due(now)) == 1
        assert due(now + datetime.timedelta(minutes=30)) == []
        assert len(due(now + datetime.timedelta(minutes=61))) == 1
    finally:
        jobs._periodic.pop("test.count")


def test_submitter_follows_their_job_and_others_get_404(world, client_for):
    with acting_as(Actor(world.archivist_a.pk, "archivist_a")):
        job = jobs.enqueue("test.count", upto=3)
    jobs.work(threading.Event(), once=True)
    own = client_for(world.archivist_a).get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert own.status_code == 200 and own.json()["percent"] == 100
    assert client_for(world.archivist_b).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(world.staff).get(f"/jobs/{job.pk}/").status_code == 200
