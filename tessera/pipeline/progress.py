"""How long work reports progress without depending on a terminal library."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, total: int | None, description: str) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    def start(self, total: int | None, description: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def stop(self) -> None:
        pass
