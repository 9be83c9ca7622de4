import errno
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied

from dangan.preservation.choices import EventType, FileStatus, Outcome, TextStatus
from dangan.preservation.models import DigitalFile
from dangan.preservation.services import IngestBatch, IngestError, ingest_batch
from dangan.preservation.storage import get_storage, reset_storage
from dangan.preservation.storage.disk import DiskStorage
from dangan.preservation.tests import samples
from dangan.preservation.tests.helpers import add_file, run_jobs
from dangan.testing import make_item


@pytest.fixture
def item(world):
    return make_item(world.fonds_a)


def test_a_captured_file_has_its_sha256_size_format_and_events(item, world):
    data = samples.pdf(pages=3)
    f = add_file(item, data, "通知.pdf", user=world.archivist_a)
    assert f.status == FileStatus.COMPLETE
    assert f.sha256 == hashlib.sha256(data).hexdigest() and f.size == len(data)
    assert f.mime == "application/pdf" and f.puid.startswith("fmt/")
    assert f.characterisation["pages"] == 3
    assert f.created_by == world.archivist_a
    assert [e.event_type for e in f.events.all()] == [
        EventType.CAPTURE,
        EventType.MESSAGE_DIGEST,
        EventType.FORMAT_IDENTIFICATION,
    ]
    assert f.sm3 is None and f.text_status == TextStatus.PENDING
    with get_storage().open(f.storage_key) as stored:
        assert stored.read() == data


def test_sm3_is_computed_afterwards_by_a_background_job(item):
    f = add_file(item, b"hello sm3", "a.txt")
    run_jobs("preservation.sm3")
    f.refresh_from_db()
    assert f.sm3 == hashlib.new("sm3", b"hello sm3").hexdigest()
    assert f.events.filter(event_type=EventType.MESSAGE_DIGEST, detail__startswith="SM3").exists()


def test_sm3_falls_back_to_the_cryptography_package_with_the_same_digest(monkeypatch):
    from dangan.preservation import hashing

    monkeypatch.setattr(hashing, "HAS_OPENSSL_SM3", False)
    hasher = hashing.new("sm3")
    hasher.update(b"abc")
    # GB/T 32905-2016 example 1
    assert hasher.hexdigest() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_only_who_may_change_the_item_may_add_files(item, world):
    for user in (world.archivist_b, world.reader):
        with pytest.raises(PermissionDenied):
            add_file(item, b"x", "x.txt", user=user)
    assert not DigitalFile.objects.exists()
    assert add_file(item, b"x", "x.txt", user=world.staff).status == FileStatus.COMPLETE


def test_names_differing_only_in_case_or_unicode_normalisation_are_refused(item):
    add_file(item, b"one", "Report.PDF")
    with pytest.raises(IngestError, match="重名"):
        add_file(item, b"two", "report.pdf")
    add_file(item, b"three", "caf\u00e9.txt")
    with pytest.raises(IngestError, match="重名"):
        add_file(item, b"four", "cafe\u0301.txt")
    assert DigitalFile.objects.count() == 2


def test_a_path_in_the_file_name_is_reduced_to_the_name(item):
    f = add_file(item, b"x", "../../etc/passwd")
    assert f.original_name == "passwd"


def test_a_zero_byte_file_is_kept_and_fails_its_checks(item):
    f = add_file(item, b"", "empty.pdf")
    assert f.size == 0 and f.status == FileStatus.COMPLETE
    run_jobs("preservation.capture_checks")
    failed = set(f.check_results.filter(outcome=Outcome.FAILURE).values_list("check_item__method", flat=True))
    assert {"format_identified", "file_consistent", "opens"} <= failed


def test_a_file_whose_extension_lies_is_identified_by_content_and_flagged(item):
    f = add_file(item, samples.image(dpi=300, fmt="JPEG"), "scan.pdf")
    assert f.mime == "image/jpeg"
    assert f.characterisation["identification"]["extension_mismatch"] is True
    assert f.events.get(event_type=EventType.FORMAT_IDENTIFICATION).outcome == Outcome.WARNING


def test_an_ofd_is_recognised_although_it_is_a_zip(item):
    f = add_file(item, samples.ofd(pages=2), "公文.ofd")
    assert f.mime == "application/ofd" and f.characterisation["pages"] == 2


def test_an_encrypted_pdf_is_captured_and_marked_encrypted(item):
    f = add_file(item, samples.encrypted_pdf(), "secret.pdf")
    assert f.characterisation["encrypted"] is True


def test_a_truncated_pdf_is_captured_and_marked_as_not_opening(item):
    f = add_file(item, samples.pdf()[:-40], "cut.pdf")
    assert f.characterisation["opens"] is False


def test_a_scan_below_200_dpi_is_flagged(item):
    f = add_file(item, samples.image(dpi=150), "scan.png")
    assert f.characterisation["dpi"] == 150 and f.characterisation["below_dpi_text"] is True


def test_a_digest_sent_with_the_file_must_match(item):
    with pytest.raises(IngestError, match="SHA-256"):
        add_file(item, b"payload", "a.txt", expected_sha256="0" * 64)
    assert not DigitalFile.objects.exists()
    assert list(get_storage().keys()) == []


class FullDisk(DiskStorage):
    """Raises ENOSPC after the first megabyte, as a full disk would in the middle of a write."""

    def stage(self):
        staged = super().stage()
        real_write = staged.file.write

        def write(data):
            if staged.size >= 1024 * 1024:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(data)

        staged.file.write = write
        return staged


def test_a_disk_full_during_the_write_is_a_clear_error_and_leaves_nothing(item, monkeypatch, file_store):
    from dangan.preservation import services

    full = FullDisk(file_store)
    monkeypatch.setattr(services, "get_storage", lambda: full)
    with pytest.raises(IngestError, match="No space left"):
        add_file(item, b"x" * (5 * 1024 * 1024), "big.bin")
    assert not DigitalFile.objects.exists()
    assert list(full.keys()) == [] and list(full.staging_dir.iterdir()) == []
    reset_storage()


def test_files_of_one_batch_become_complete_together_or_not_at_all(item):

    with pytest.raises(IngestError):
        with ingest_batch() as batch:
            batch.add(item, io.BytesIO(b"first"), "1.txt")
            batch.add(item, io.BytesIO(b"second"), "2.txt", expected_sha256="f" * 64)
    assert not DigitalFile.objects.exists()
    assert list(get_storage().keys()) == []


def test_capture_queues_sm3_checks_and_text_extraction_once(item, django_capture_on_commit_callbacks):
    from dangan.core.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        add_file(item, b"one", "1.txt")
    with django_capture_on_commit_callbacks(execute=True):
        add_file(item, b"two", "2.txt")
    assert sorted(Job.objects.values_list("name", flat=True)) == [
        "preservation.capture_checks",
        "preservation.extract_text",
        "preservation.identify",
        "preservation.sm3",
    ]


def test_a_failed_flush_to_disk_is_a_clear_error_and_leaves_nothing(item, monkeypatch):
    from dangan.preservation.storage.base import StagedBlob

    def sync(self):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(StagedBlob, "sync", sync)
    with pytest.raises(IngestError, match="Input/output error"):
        with ingest_batch() as batch:
            batch.add(item, io.BytesIO(b"first"), "1.txt")
            batch.add(item, io.BytesIO(b"second"), "2.txt")
    assert not DigitalFile.objects.exists()
    assert list(get_storage().keys()) == [] and list(get_storage().staging_dir.iterdir()) == []


def test_a_name_another_upload_took_while_this_one_was_written_is_refused(item):
    with pytest.raises(IngestError, match="重名"):
        with ingest_batch() as batch:
            batch.add(item, io.BytesIO(b"mine"), "报告.txt")
            add_file(item, b"theirs", "报告.TXT")  # a second upload, finished first
    assert list(item.digital_files.values_list("original_name", flat=True)) == ["报告.TXT"]
    assert len(list(get_storage().keys())) == 1


def test_of_two_uploads_of_one_name_in_flight_together_the_first_inserted_wins(item):
    # Both batches have inserted their pending rows before either checks names again (the race).
    first, second = IngestBatch(), IngestBatch()
    first.add(item, io.BytesIO(b"first"), "报告.txt")
    second.add(item, io.BytesIO(b"second"), "报告.TXT")
    DigitalFile.objects.bulk_create(first.files)
    DigitalFile.objects.bulk_create(second.files)
    try:
        first._check_names_again()
        with pytest.raises(IngestError, match="重名"):
            second._check_names_again()
    finally:
        first.abandon()
        second.abandon()


def test_a_file_dropped_at_a_savepoint_leaves_the_rest_of_the_batch(item, world):
    other = make_item(world.fonds_a)
    with ingest_batch() as batch:
        batch.add(item, io.BytesIO(b"kept"), "1.txt")
        with pytest.raises(IngestError):
            with batch.savepoint():
                batch.add(other, io.BytesIO(b"dropped"), "2.txt")
                batch.add(other, io.BytesIO(b"bad"), "3.txt", expected_sha256="f" * 64)
        batch.add(other, io.BytesIO(b"again"), "2.txt")  # the name is free again
    assert sorted(DigitalFile.objects.values_list("original_name", flat=True)) == ["1.txt", "2.txt"]
    assert len(list(get_storage().keys())) == 2 and list(get_storage().staging_dir.iterdir()) == []
