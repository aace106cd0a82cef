"""Counts in words people read (reports, notifications, the CLI): "1 file", "2 files"."""

from __future__ import annotations


def file_count(n: int) -> str:
    return f"{n:,} file" + ("" if n == 1 else "s")
