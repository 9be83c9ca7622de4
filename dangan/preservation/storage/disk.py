import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from dangan.preservation.storage.base import KEY_RE, BlobMissing, StagedBlob, Storage, key_for


class DiskStorage(Storage):
    """Blobs in a folder tree; the staging folder is inside the same file system so a commit is a rename."""

    name = "disk"

    def __init__(self, root, staging_dir=None):
        self.root = Path(root)
        super().__init__(staging_dir or self.root / ".staging")

    def path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def commit(self, staged: StagedBlob, sha256: str) -> str:
        return self.commit_many([(staged, sha256)])[0]

    def commit_many(self, staged: list[tuple[StagedBlob, str]]) -> list[str]:
        """Make every file durable, then rename each under its key, then make the renames durable.

        The fsyncs of a batch run together: each waits for the disk, not for the CPU (the GIL is released),
        and the file system commits its journal once for many of them instead of once per file.
        """
        _together(lambda blob: blob[0].sync(), staged)
        keys, folders = [], set()
        for blob, sha256 in staged:
            blob.close()
            key = key_for(sha256)
            target = self.path(key)
            keys.append(key)
            if target.exists() and target.stat().st_size == blob.size:
                # The same bytes are already stored: content addressing makes the upload a no-op.
                blob.discard()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(blob.path, 0o444)
            os.replace(blob.path, target)
            folders.add(target.parent)
        _together(_fsync_dir, sorted(folders))
        return keys

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        base = self.root / "sha256"
        if not base.exists():
            return
        for path in base.glob("*/*/*"):
            key = path.relative_to(self.root).as_posix()
            if KEY_RE.match(key):
                yield key

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def describe(self) -> str:
        return f"disk {self.root}"


def _together(function, values, threads: int = 16) -> None:
    if len(values) <= 1:
        for value in values:
            function(value)
        return
    with ThreadPoolExecutor(min(threads, len(values))) as pool:
        for _ in pool.map(function, values):  # consumed, so the first error is raised here
            pass


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
