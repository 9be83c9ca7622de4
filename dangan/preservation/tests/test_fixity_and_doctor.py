import hashlib
import os

import pytest
from django.utils import timezone

from dangan.core.models import AuditEntry
from dangan.preservation.choices import EventType, FileStatus, Outcome
from dangan.preservation.fixity import audit
from dangan.preservation.services import recover_interrupted, storage_report
from dangan.preservation.storage import get_storage, key_for
from dangan.preservation.tests.helpers import add_file
from dangan.testing import make_item


@pytest.fixture
def files(world):
    item = make_item(world.fonds_a)
    return [add_file(item, f"content {i}".encode() * 100, f"{i}.txt") for i in range(5)]


def blob_path(f):
    return get_storage().local_path(f.storage_key)


def test_the_fixity_audit_rereads_every_file_and_records_an_event_each(files):
    report = audit(workers=2)
    assert (report.files, report.ok, report.damaged, report.missing) == (5, 5, 0, 0)
    assert report.bytes == sum(f.size for f in files)
    for f in files:
        event = f.events.get(event_type=EventType.FIXITY_CHECK)
        assert event.outcome == Outcome.SUCCESS and event.detail == "digests match" and event.agent
        assert event.data == {} and abs((timezone.now() - event.at).total_seconds()) < 60


def test_a_changed_or_missing_file_raises_an_alert(files):
    damaged, missing = files[0], files[1]
    path = blob_path(damaged)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    blob_path(missing).unlink()
    report = audit(workers=2)
    assert (report.ok, report.damaged, report.missing) == (3, 1, 1)
    damaged.refresh_from_db()
    missing.refresh_from_db()
    assert damaged.status == FileStatus.DAMAGED and damaged.alert
    assert missing.status == FileStatus.MISSING and missing.alert
    alerts = AuditEntry.objects.filter(message__startswith="fixity alert")
    assert alerts.count() == 2
    # A second audit does not repeat the alert for a file already flagged.
    audit(workers=1)
    assert AuditEntry.objects.filter(message__startswith="fixity alert").count() == 2


def test_doctor_reports_orphan_blobs_and_dangling_files(files, file_store):
    staged = get_storage().stage()
    staged.write(b"nobody refers to me")
    orphan = get_storage().commit(staged, staged.finish())
    blob_path(files[0]).unlink()
    report = storage_report()
    assert report.orphans == [orphan]
    assert [pk for pk, _ in report.dangling] == [files[0].pk]


def test_doctor_command_exits_non_zero_when_storage_is_unhealthy(files):
    from django.core.management import call_command

    blob_path(files[0]).unlink()
    with pytest.raises(SystemExit):
        call_command("doctor")
    call_command("doctor", "--repair")
    files[0].refresh_from_db()
    assert files[0].status == FileStatus.MISSING


def test_pending_files_of_a_dead_process_are_removed_with_their_blobs(world):
    from dangan.preservation.models import DigitalFile

    item = make_item(world.fonds_a)
    staged = get_storage().stage()
    staged.write(b"half ingested")
    digest = staged.finish()
    key = get_storage().commit(staged, digest)
    DigitalFile.objects.create(
        item=item,
        original_name="x",
        size=13,
        sha256=digest,
        storage_key=key,
        status=FileStatus.PENDING,
        ingest_owner=f"{os.uname().nodename}:999999999",
    )
    assert recover_interrupted()["rows"] == 1
    assert not DigitalFile.objects.exists() and not get_storage().exists(key_for(digest))


def test_the_blob_of_a_file_being_ingested_is_neither_orphan_nor_missing(world):
    from dangan.preservation.models import DigitalFile

    stored, not_yet = b"stored already", b"being written"
    staged = get_storage().stage()
    staged.write(stored)
    get_storage().commit(staged, staged.finish())
    item = make_item(world.fonds_a)
    for n, data in enumerate([stored, not_yet]):
        digest = hashlib.sha256(data).hexdigest()
        DigitalFile.objects.create(
            item=item,
            original_name=f"{n}.txt",
            size=len(data),
            sha256=digest,
            storage_key=key_for(digest),
            status=FileStatus.PENDING,
            ingest_owner=f"{os.uname().nodename}:{os.getpid()}",
        )
    report = storage_report()
    assert report.orphans == [] and report.dangling == [] and report.stale_pending == 2
