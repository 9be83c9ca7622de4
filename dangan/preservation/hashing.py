"""Streaming digests: SHA-256 from hashlib; SM3 (GB/T 32905) from OpenSSL through hashlib, else from the
``cryptography`` package."""

import hashlib
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
    hashers = {name: new(name) for name in algorithms}
    size = 0
    while True:
        data = stream.read(chunk)
        if not data:
            break
        size += len(data)
        for hasher in hashers.values():
            hasher.update(data)
    result = {name: hasher.hexdigest() for name, hasher in hashers.items()}
    result["size"] = size
    return result


def digest_file(path, algorithms=("sha256",)) -> dict[str, str]:
    with open(path, "rb", buffering=0) as f:
        return digest_stream(f, algorithms)
