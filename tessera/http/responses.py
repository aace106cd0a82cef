"""Responses that carry pixels: never cached, declared as JPEG in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

NO_STORE = {"cache-control": "no-store"}
JPEG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/jpeg": {}}}}


def jpeg(data: bytes) -> Response:
    """A picture that no browser or proxy keeps (thumbnails, reveals, face crops)."""
    return Response(data, media_type="image/jpeg", headers=NO_STORE)
