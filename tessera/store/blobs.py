"""Evidence originals, content-addressed by SHA-256 and encrypted at rest with AES-256-GCM.

Files are sealed in 1 MiB segments (``tessera.core.sealed``), so a multi-gigabyte video never
has to sit in memory and a truncated or reordered file fails authentication. Reading always
re-checks the SHA-256 of the plaintext against the name, so a blob cannot silently become other
evidence.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tessera.core.errors import IntegrityError, NotFound
from tessera.core.sealed import SealedReader, seal
from tessera.store.keyfiles import read_secret, write_secret

KEY_BYTES = 32


def create_key(path: Path) -> bool:
    """Write a new random key with mode 0600; ``False`` if one exists (never overwritten)."""
    return write_secret(path, secrets.token_bytes(KEY_BYTES))


def load_key(path: Path) -> bytes:
    return read_secret(path, KEY_BYTES, "evidence key", "run `tessera init` first")


class BlobStore:
    def __init__(self, root: Path, key: bytes) -> None:
        self.root = root
        self._key = key
        self._aes = AESGCM(key)
        (root / "tmp").mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str:
        """Encrypt and store; returns the SHA-256. Idempotent: an existing blob is kept as is."""
        if expected_sha256 and self.exists(expected_sha256):
            for _ in chunks:  # drain so a tapped stream still sees every byte
                pass
            return expected_sha256
        digest = hashlib.sha256()

        def tapped() -> Iterator[bytes]:
            for chunk in chunks:
                digest.update(chunk)
                yield chunk

        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                seal(tapped(), out, self._aes)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            if expected_sha256 and sha256 != expected_sha256:
                raise IntegrityError(f"content changed while storing: expected {expected_sha256}, "
                                     f"read {sha256}")
            final = self.path_for(sha256)
            if final.exists():
                os.unlink(tmp)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
            return sha256
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def iter_plaintext(self, sha256: str) -> Iterator[bytes]:
        """Decrypted segments; raises ``IntegrityError`` at the end if the content is not
        what its name says, or at once if any segment fails authentication."""
        path = self.path_for(sha256)
        if not path.exists():
            raise NotFound(f"evidence blob {sha256} is missing from {self.root}")
        digest = hashlib.sha256()
        try:
            reader = SealedReader(path, self._key)
        except IntegrityError:
            raise IntegrityError(f"blob {sha256}: not a Tessera evidence file") from None
        with reader:
            try:
                for plain in reader.segments():
                    digest.update(plain)
                    yield plain
            except IntegrityError as exc:
                raise IntegrityError(f"blob {sha256}: {str(exc).split(': ', 1)[-1]}") from None
        if digest.hexdigest() != sha256:
            raise IntegrityError(f"blob {sha256}: content hashes to {digest.hexdigest()}")

    def get(self, sha256: str) -> bytes:
        return b"".join(self.iter_plaintext(sha256))

    def verify(self, sha256: str) -> str | None:
        """``None`` when the blob is intact, else what is wrong with it."""
        try:
            for _ in self.iter_plaintext(sha256):
                pass
        except (IntegrityError, NotFound) as exc:
            return str(exc)
        return None
