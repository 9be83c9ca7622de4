"""Where the bits live: a folder on disk (default) or S3-compatible object storage, chosen by settings.

Keys are content addresses (``sha256/ab/cd/<digest>``), so two uploads of the same bytes share one blob and a
key can never point at other bytes. Every write goes first to a staging file on local disk while it is
hashed; only when it is complete, flushed and its digest known is it committed under its key (an atomic
rename on disk; a completed upload on S3). A crash mid-write leaves only a staging file, never a blob.
"""

from functools import lru_cache

from django.conf import settings

from dangan.preservation.storage.base import BlobMissing, StagedBlob, Storage, key_for  # noqa: F401


def build_storage(config: dict | None = None) -> Storage:
    config = config or settings.DANGAN_STORAGE
    if config["backend"] == "s3":
        from dangan.preservation.storage.s3 import S3Storage

        return S3Storage(
            staging_dir=config["staging_dir"],
            endpoint=config["s3_endpoint"],
            bucket=config["s3_bucket"],
            access_key=config["s3_access_key"],
            secret_key=config["s3_secret_key"],
            region=config["s3_region"],
            part_size=config.get("s3_part_mb", 64) * 1024 * 1024,
        )
    from dangan.preservation.storage.disk import DiskStorage

    return DiskStorage(root=config["root"], staging_dir=config["staging_dir"])


@lru_cache(maxsize=1)
def _default() -> Storage:
    return build_storage()


def get_storage() -> Storage:
    return _default()


def reset_storage() -> None:
    """Forget the cached backend (tests that change the storage settings call it)."""
    _default.cache_clear()
