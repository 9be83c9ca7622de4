"""Streaming digests: SHA-256 from hashlib; SM3 (GB/T 32905) from OpenSSL through hashlib, else from the
``cryptography`` package."""

import hashlib
import os
import threading
from typing import BinaryIO

CHUNK = 4 * 1024 * 1024


class _CryptographySM3:
    def __init__(self):
        from cryptography.hazmat.primitives import hashes

        self._hash = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


def _openssl_has_sm3() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


HAS_OPENSSL_SM3 = _openssl_has_sm3()


def new(algorithm: str):
    if algorithm == "sm3" and not HAS_OPENSSL_SM3:
        return _CryptographySM3()
    return hashlib.new(algorithm)


def digest_stream(stream: BinaryIO, algorithms=("sha256",), chunk: int = CHUNK) -> dict[str, str]:
    """Digests of everything left in ``stream``, read in chunks (never whole into memory)."""
    hashers = [(name, new(name)) for name in algorithms]
    size = 0
    if hasattr(stream, "readinto"):
        # Into one buffer per thread, reused: no 4 MiB allocation per chunk. hashlib releases the GIL while
        # it hashes a chunk this big, so threads hash in parallel.
        buffer, view = _buffer(chunk)
        while n := stream.readinto(buffer):
            size += n
            data = view[:n]
            for _name, hasher in hashers:
                hasher.update(data)
    else:
        while data := stream.read(chunk):
            size += len(data)
            for _name, hasher in hashers:
                hasher.update(data)
    result = {name: hasher.hexdigest() for name, hasher in hashers}
    result["size"] = size
    return result


def digest_file(path, algorithms=("sha256",)) -> dict[str, str]:
    with open(path, "rb", buffering=0) as f:
        if hasattr(os, "posix_fadvise") and os.fstat(f.fileno()).st_size > CHUNK:
            # Read ahead further: the file is read once, start to end.
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        return digest_stream(f, algorithms)


_local = threading.local()


def _buffer(size: int) -> tuple[bytearray, memoryview]:
    cached = getattr(_local, "buffer", None)
    if cached is None or len(cached[0]) != size:
        buffer = bytearray(size)
        cached = _local.buffer = (buffer, memoryview(buffer))
    return cached
