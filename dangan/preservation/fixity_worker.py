"""What a fixity worker process runs: read and hash, nothing else. Free of Django on purpose, so workers can
be spawned (not forked) from a process with threads, such as ``dangan up`` with its job thread."""

import time

from dangan.preservation import hashing

_storage = None


def init(config: dict) -> None:
    global _storage
    from dangan.preservation.storage import build_storage  # reads no Django setting when given a config

    _storage = build_storage(config)


def hash_one(task):
    from dangan.preservation.storage.base import BlobMissing

    pk, key, algorithms = task
    started = time.perf_counter()
    try:
        path = _storage.local_path(key)
        if path is not None:
            result = hashing.digest_file(path, algorithms)
        else:
            with _storage.open(key) as stream:
                result = hashing.digest_stream(stream, algorithms)
    except (BlobMissing, FileNotFoundError):
        return pk, None, time.perf_counter() - started
    except OSError as e:
        return pk, {"error": str(e)}, time.perf_counter() - started
    return pk, result, time.perf_counter() - started
