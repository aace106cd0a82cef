"""MD5, SHA-1 and SHA-256 in one pass: SHA-256 is the evidence identity, MD5/SHA-1 are what other
agencies' hash lists (Project VIC, CAID) are keyed by."""

from __future__ import annotations

import hashlib

from tessera.core.types import Digests


class MultiHasher:
    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._size = 0

    def update(self, chunk: bytes) -> None:
        self._md5.update(chunk)
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self._size += len(chunk)

    def digests(self) -> Digests:
        return Digests(self._md5.hexdigest(), self._sha1.hexdigest(), self._sha256.hexdigest(),
                       self._size)


def digest_bytes(data: bytes) -> Digests:
    hasher = MultiHasher()
    hasher.update(data)
    return hasher.digests()
