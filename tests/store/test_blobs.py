import os
import stat
from pathlib import Path

import pytest

from tessera.core import sealed as sealed_format
from tessera.core.errors import ConfigError, IntegrityError
from tessera.store.blobs import BlobStore, create_key, load_key


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    key = tmp_path / "keys" / "evidence.key"
    assert create_key(key)
    return BlobStore(tmp_path / "evidence", load_key(key))


def test_key_is_private_and_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "evidence.key"
    assert create_key(key)
    first = key.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not create_key(key) and key.read_bytes() == first
    os.chmod(key, 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_key(key)


@pytest.mark.parametrize("size", [0, 1, 1024 * 1024, 3 * 1024 * 1024 + 17])
def test_round_trip_and_encrypted_at_rest(store: BlobStore, size: int) -> None:
    data = os.urandom(size // 2) + b"EVIDENCE-MARKER" * (size // 30)
    sha = store.put([data[: size // 3], data[size // 3:]])
    assert store.get(sha) == data
    stored = store.path_for(sha).read_bytes()
    assert b"EVIDENCE-MARKER" not in stored  # ciphertext, not plaintext
    assert store.verify(sha) is None


def test_put_is_idempotent(store: BlobStore) -> None:
    sha = store.put([b"same bytes"])
    before = store.path_for(sha).stat().st_mtime_ns
    assert store.put([b"same bytes"], expected_sha256=sha) == sha
    assert store.path_for(sha).stat().st_mtime_ns == before


@pytest.mark.parametrize("damage", ["flip", "truncate", "swap"])
def test_tampering_is_detected(store: BlobStore, damage: str) -> None:
    data = os.urandom(sealed_format.SEGMENT * 2 + 100)
    sha = store.put([data])
    path = store.path_for(sha)
    raw = bytearray(path.read_bytes())
    if damage == "flip":
        raw[len(raw) // 2] ^= 0x01
    elif damage == "truncate":
        raw = raw[: sealed_format.HEADER_BYTES + sealed_format.SEGMENT + sealed_format.TAG]
    else:  # another blob's content under this name
        other = store.put([b"other evidence"])
        raw = bytearray(store.path_for(other).read_bytes())
    path.write_bytes(bytes(raw))
    problem = store.verify(sha)
    assert problem is not None
    with pytest.raises(IntegrityError):
        store.get(sha)


def test_missing_blob_is_reported(store: BlobStore) -> None:
    assert "missing" in (store.verify("ab" * 32) or "")
