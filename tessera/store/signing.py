"""The instance's export signing key (Ed25519), apart from the audit key: a partner checks
that a hash list came from this instance unaltered, and a leak of one key is not a leak of
the other.

A signature file (``<export>.sig``, JSON) names the file, its SHA-256 and size, when it was
signed and the public key; the signature covers all of them. A recipient verifies against the
public key they were given out of band (``tessera export public-key``); the key inside the
file proves only integrity, never origin.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tessera.core.errors import IntegrityError, TesseraError
from tessera.store.keyfiles import read_secret, write_secret

KEY_BYTES = 32


def key_path(home: Path) -> Path:
    return home / "keys" / "export-signing.key"


def create_key(home: Path) -> bool:
    return write_secret(key_path(home), Ed25519PrivateKey.generate().private_bytes_raw())


def load_key(home: Path) -> Ed25519PrivateKey:
    create_key(home)  # a data folder from before exports were signed gets its key now
    return Ed25519PrivateKey.from_private_bytes(read_secret(
        key_path(home), KEY_BYTES, "export signing key", "run `tessera db upgrade`"))


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes_raw()).decode()


def _digest(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign_file(home: Path, path: Path) -> Path:
    key = load_key(home)
    sha256, size = _digest(path)
    body = {"file": path.name, "sha256": sha256, "size": size, "algorithm": "Ed25519",
            "public_key": public_key_text(key.public_key()),
            "signed_at": datetime.now(UTC).isoformat(timespec="seconds")}
    out = path.with_name(path.name + ".sig")
    out.write_text(json.dumps(dict(body, signature=base64.b64encode(
        key.sign(_canonical(body))).decode()), indent=1) + "\n")
    return out


def verify_file(path: Path, signature: Path, public_key: str | None) -> dict[str, Any]:
    """Raise ``IntegrityError`` unless ``path`` is what was signed, by ``public_key`` (base64)
    when given."""
    try:
        body = json.loads(signature.read_text())
        sig = base64.b64decode(body.pop("signature"))
    except (OSError, ValueError, KeyError) as exc:
        raise TesseraError(f"{signature.name}: not a Tessera signature file ({exc})") from None
    trusted = public_key or body.get("public_key", "")
    if public_key and public_key.strip() != body.get("public_key"):
        raise IntegrityError("signed by another key than the one you trust")
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted)).verify(sig, _canonical(body))
    except (InvalidSignature, ValueError):
        raise IntegrityError(f"{signature.name}: the signature does not verify") from None
    sha256, size = _digest(path)
    if (sha256, size) != (body.get("sha256"), body.get("size")):
        raise IntegrityError(f"{path.name} was altered after it was signed")
    return {"file": path.name, "sha256": sha256, "signed_at": body.get("signed_at"),
            "origin_checked": bool(public_key)}
