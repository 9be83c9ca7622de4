import errno
import hashlib
import io

import pytest

from dangan.preservation.storage import BlobMissing, key_for
from dangan.preservation.storage.disk import DiskStorage


@pytest.fixture
def disk(tmp_path):
    return DiskStorage(tmp_path / "blobs")


def store(storage, data: bytes) -> str:
    staged = storage.stage()
    staged.copy_from(io.BytesIO(data))
    return storage.commit(staged, staged.finish())


def test_a_blob_is_stored_under_the_address_of_its_sha256(disk):
    key = store(disk, b"hello")
    digest = hashlib.sha256(b"hello").hexdigest()
    assert key == key_for(digest) == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    with disk.open(key) as f:
        assert f.read() == b"hello"
    assert disk.size(key) == 5 and disk.exists(key)


def test_the_same_bytes_stored_twice_are_one_blob_and_no_staging_file_stays(disk):
    assert store(disk, b"same") == store(disk, b"same")
    assert list(disk.keys()) == [key_for(hashlib.sha256(b"same").hexdigest())]
    assert list(disk.staging_dir.iterdir()) == []


def test_a_blob_is_invisible_until_committed(disk):
    staged = disk.stage()
    staged.write(b"half")
    assert list(disk.keys()) == []
    staged.discard()
    assert list(disk.staging_dir.iterdir()) == []


def test_a_missing_blob_raises_blob_missing(disk):
    with pytest.raises(BlobMissing):
        disk.open(key_for("0" * 64))
    with pytest.raises(BlobMissing):
        disk.size(key_for("0" * 64))


def test_keys_that_are_not_content_addresses_are_refused(disk):
    with pytest.raises(ValueError):
        disk.open("../../etc/passwd")


def test_staging_files_of_dead_processes_are_found_as_stale(disk):
    disk.staging_dir.mkdir(parents=True, exist_ok=True)
    dead = disk.staging_dir / "999999999-abc.part"
    dead.write_bytes(b"x")
    live = disk.stage()
    assert disk.stale_staging_files() == [dead]
    live.discard()


def test_a_disk_full_error_mid_write_leaves_nothing_behind(disk, monkeypatch):
    staged = disk.stage()
    real_write = staged.file.write

    def write(data):
        if staged.size > 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(data)

    monkeypatch.setattr(staged.file, "write", write)
    staged.write(b"first chunk")
    with pytest.raises(OSError):
        staged.write(b"second chunk")
    staged.discard()
    assert list(disk.keys()) == [] and list(disk.staging_dir.iterdir()) == []


def test_files_committed_together_are_each_stored_once_under_their_address(disk):
    staged = []
    for data in (b"one", b"two", b"one"):
        blob = disk.stage()
        blob.write(data)
        staged.append((blob, blob.close()))
    keys = disk.commit_many(staged)
    assert keys == [key_for(hashlib.sha256(d).hexdigest()) for d in (b"one", b"two", b"one")]
    assert sorted(disk.keys()) == sorted(set(keys))
    assert list(disk.staging_dir.iterdir()) == []
    with disk.open(keys[1]) as f:
        assert f.read() == b"two"
