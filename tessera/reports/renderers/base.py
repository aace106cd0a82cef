"""The renderer contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from tessera.core.errors import TesseraError
from tessera.core.registry import Registry
from tessera.reports.model import Report


class Renderer(ABC):
    """One report format. Registered by name, it is reachable everywhere a report is written:
    ``tessera deconflict --out NAME=PATH`` and ``GET /api/jobs/{id}/report?format=NAME``."""

    name: ClassVar[str]
    media_type: ClassVar[str]  # with "; charset=utf-8" added for text/* types when served
    suffix: ClassVar[str]  # file name ending, without the dot

    @abstractmethod
    def render(self, report: Report) -> bytes: ...

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


RENDERERS: Registry[Renderer] = Registry("report renderer")


def renderer(name: str) -> Renderer:
    """The renderer of that name, or a clear error naming the formats there are."""
    if name not in RENDERERS:
        raise TesseraError(f"unknown report format {name!r}; formats: "
                           f"{', '.join(RENDERERS.names())}")
    return RENDERERS.get(name)
