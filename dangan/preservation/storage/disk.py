import os
from collections.abc import Iterator
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
        key = key_for(sha256)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged.finish()
        if target.exists() and target.stat().st_size == staged.size:
            # The same bytes are already stored: content addressing makes the upload a no-op.
            staged.discard()
            return key
        os.chmod(staged.path, 0o444)
        os.replace(staged.path, target)
        _fsync_dir(target.parent)
        return key

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


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
