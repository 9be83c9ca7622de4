import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dangan.lib.processes import process_alive

CHUNK = 4 * 1024 * 1024
KEY_RE = re.compile(r"^sha256/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


class BlobMissing(FileNotFoundError):
    pass


def key_for(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class StagedBlob:
    """A file being written: bytes go to a local staging file and through SHA-256 on the way."""

    def __init__(self, staging_dir: Path):
        try:
            fd, name = tempfile.mkstemp(dir=staging_dir, prefix=f"{os.getpid()}-", suffix=".part")
        except FileNotFoundError:  # the first write ever (a mkdir per file costs more than the write)
            staging_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=staging_dir, prefix=f"{os.getpid()}-", suffix=".part")
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.synced = False

    def write(self, data: bytes) -> None:
        self.synced = False
        self.file.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def copy_from(self, stream: BinaryIO, chunk: int = CHUNK) -> None:
        while True:
            data = stream.read(chunk)
            if not data:
                break
            self.write(data)

    def close(self) -> str:
        """Stop writing and return the digest; the bytes may still be in memory only, until ``sync``."""
        if not self.file.closed:
            self.file.flush()
            self.file.close()
        return self.sha256.hexdigest()

    def sync(self) -> None:
        """Make the bytes durable. A closed file is reopened read-only (fsync flushes the file, whichever
        descriptor asks), so a batch of thousands of files need not hold a descriptor for each."""
        if self.synced:
            return
        if self.file.closed:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        else:
            self.file.flush()
            os.fsync(self.file.fileno())
        self.synced = True

    def finish(self) -> str:
        """Flush to the disk, so the bytes are durable before anything refers to them; return the digest."""
        self.sync()
        return self.close()

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.path.unlink(missing_ok=True)


class Storage:
    """The operations every backend provides. ``staging_dir`` is always a local folder."""

    name = "base"

    def __init__(self, staging_dir):
        self.staging_dir = Path(staging_dir)

    def stage(self) -> StagedBlob:
        return StagedBlob(self.staging_dir)

    def commit(self, staged: StagedBlob, sha256: str) -> str:
        """Store a finished staged file under the key of ``sha256``; return the key; remove the staging."""
        raise NotImplementedError

    def commit_many(self, staged: list[tuple[StagedBlob, str]]) -> list[str]:
        """Commit several finished staged files (``(staged, sha256)`` pairs); return their keys in order.

        Backends that can make many writes durable at once (disk: fsyncs in parallel) override it.
        """
        return [self.commit(blob, sha256) for blob, sha256 in staged]

    def open(self, key: str) -> BinaryIO:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def size(self, key: str) -> int:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def keys(self) -> Iterator[str]:
        raise NotImplementedError

    def local_path(self, key: str) -> Path | None:
        """A path to read the blob directly, when the backend has one (disk); else None."""
        return None

    def stale_staging_files(self) -> list[Path]:
        """Staging files whose writing process is gone (left by a crash or a kill)."""
        if not self.staging_dir.exists():
            return []
        stale = []
        for path in self.staging_dir.glob("*.part"):
            pid = path.name.split("-", 1)[0]
            if not pid.isdigit() or not process_alive(int(pid)):
                stale.append(path)
        return stale

    def describe(self) -> str:
        return self.name
