"""The renderer contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from tessera.core.registry import Registry
from tessera.reports.model import Report


class Renderer(ABC):
    name: ClassVar[str]
    media_type: ClassVar[str]

    @abstractmethod
    def render(self, report: Report) -> bytes: ...


RENDERERS: Registry[Renderer] = Registry("report renderer")
