"""Files encrypted at rest with AES-256-GCM in 1 MiB segments (the STREAM construction).

Nonce = a random per-file prefix, the segment counter and a last-segment flag, so a truncated,
reordered or spliced file fails authentication. Used for evidence blobs and for uploads waiting
in staging: neither ever sits on disk in the clear. ``SealedReader`` decrypts on demand and can
seek, so a zip archive or a video is read in place without a plaintext copy.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tessera.core.errors import IntegrityError

MAGIC = b"TSB1"
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + PREFIX_BYTES
SEGMENT = 1024 * 1024
TAG = 16


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _rechunk(chunks: Iterable[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """Fixed-size segments, each flagged whether it is the last (the flag is authenticated)."""
    buf = bytearray()
    pending: bytes | None = None
    for chunk in chunks:
        buf.extend(chunk)
        while len(buf) >= size:
            if pending is not None:
                yield pending, False
            pending = bytes(buf[:size])
            del buf[:size]
    if buf:
        if pending is not None:
            yield pending, False
        yield bytes(buf), True
    else:
        yield (pending if pending is not None else b""), True


def seal(chunks: Iterable[bytes], out: BinaryIO, aes: AESGCM) -> int:
    """Encrypt a stream of plaintext chunks into ``out``; returns the plaintext size."""
    prefix = secrets.token_bytes(PREFIX_BYTES)
    header = MAGIC + prefix
    out.write(header)
    size = 0
    for counter, (segment, last) in enumerate(_rechunk(chunks, SEGMENT)):
        size += len(segment)
        out.write(aes.encrypt(_nonce(prefix, counter, last), segment, header))
    return size


def seal_file(chunks: Iterable[bytes], path: Path, key: bytes) -> int:
    """A new sealed file (mode 0600), written whole before it appears under its name."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            size = seal(chunks, out, AESGCM(key))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        return size
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


class SealedReader(io.RawIOBase):
    """A read-only, seekable view of a sealed file's plaintext (one segment cached)."""

    def __init__(self, path: str | Path, key: bytes) -> None:
        super().__init__()
        self._fh = open(path, "rb")  # noqa: SIM115 (closed with the reader)
        self._aes = AESGCM(key)
        self._name = str(path)
        self.header = self._fh.read(HEADER_BYTES)
        if len(self.header) != HEADER_BYTES or not self.header.startswith(MAGIC):
            self._fh.close()
            raise IntegrityError(f"{path}: not a sealed Tessera file")
        self._prefix = self.header[len(MAGIC):]
        body = os.fstat(self._fh.fileno()).st_size - HEADER_BYTES
        self._segments = max(1, -(-body // (SEGMENT + TAG)))
        self.size = body - self._segments * TAG
        if self.size < 0:
            self._fh.close()
            raise IntegrityError(f"{path}: truncated")
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def segment(self, counter: int) -> bytes:
        if self._cached is not None and self._cached[0] == counter:
            return self._cached[1]
        self._fh.seek(HEADER_BYTES + counter * (SEGMENT + TAG))
        block = self._fh.read(SEGMENT + TAG)
        last = counter == self._segments - 1
        try:
            plain = self._aes.decrypt(_nonce(self._prefix, counter, last), block, self.header)
        except InvalidTag:
            raise IntegrityError(f"{self._name}: segment {counter} fails authentication "
                                 "(altered or truncated)") from None
        self._cached = (counter, plain)
        return plain

    def segments(self) -> Iterator[bytes]:
        for counter in range(self._segments):
            yield self.segment(counter)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self.size:
            return 0
        counter, within = divmod(self._pos, SEGMENT)
        plain = self.segment(counter)[within:within + len(buffer)]
        buffer[:len(plain)] = plain
        self._pos += len(plain)
        return len(plain)

    def close(self) -> None:
        self._fh.close()
        self._cached = None
        super().close()


def open_sealed(path: str | Path, key: bytes) -> BinaryIO:
    """A buffered reader over a sealed file's plaintext."""
    return io.BufferedReader(SealedReader(path, key), buffer_size=SEGMENT)
