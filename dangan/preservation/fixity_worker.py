"""What a fixity worker thread runs: read and hash, nothing else (no database)."""

import time

from dangan.preservation import hashing
from dangan.preservation.storage.base import BlobMissing


def hash_many(storage, tasks):
    """``hash_one`` of each task in turn: small files go to a thread by the hundred, not one future each."""
    return [hash_one(storage, task) for task in tasks]


def hash_one(storage, task):
    """``(pk, result, cpu_seconds)``: result is the digests and size, None if the blob is missing, or an
    error; the CPU time is this thread's, so it can be summed over threads whatever else the machine runs."""
    pk, key, algorithms = task
    started = time.thread_time()
    try:
        path = storage.local_path(key)
        if path is not None:
            result = hashing.digest_file(path, algorithms)
        else:
            with storage.open(key) as stream:
                result = hashing.digest_stream(stream, algorithms)
    except (BlobMissing, FileNotFoundError):
        result = None
    except OSError as e:
        result = {"error": str(e)}
    return pk, result, time.thread_time() - started
