"""Turn what an investigator points at (a file, a folder, an archive) into a stream of items.

Archives of every registered source are read in place: nothing is extracted to disk, entry
names are only labels, so a ``../`` in a name can never write anywhere. Every problem becomes an
item carrying its error, so the batch goes on and the report lists it.
"""

from __future__ import annotations

import io
import os
import posixpath
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from tessera.config import Limits
from tessera.core.errors import IntegrityError, MediaError
from tessera.core.sealed import open_sealed
from tessera.media.sniff import HEADER_BYTES
from tessera.media.sources.base import (
    ARCHIVE_SEPARATOR,
    Container,
    Entry,
    Item,
    entry_of,
    source_for,
)


def _safe_member_name(name: str) -> tuple[str, list[str]]:
    """A display name that cannot climb out of its archive, plus warnings when we changed it."""
    cleaned = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    parts = [p for p in cleaned.split("/") if p not in ("", ".", "..")]
    safe = "/".join(parts) or "unnamed"
    warns = [] if safe == name else [f"unsafe_path: archive member name {name!r} shown as {safe!r}"]
    return safe, warns


def _open_file(path: str | Path, secret: bytes | None) -> BinaryIO:
    """A file's bytes: as they are, or decrypted on the fly when ``secret`` says it is sealed
    (never written out in the clear)."""
    try:
        return open_sealed(path, secret) if secret is not None else open(path, "rb")
    except IntegrityError as exc:
        raise MediaError("tampered", f"staged upload fails authentication: {exc}") from None
    except OSError as exc:
        raise MediaError("unreadable", f"cannot open file: {exc.strerror or exc}") from None


def _check_entry(entry: Entry, limits: Limits) -> None:
    if entry.is_link:
        raise MediaError("symlink", "archive member is a link; links are not followed")
    if entry.is_special:
        raise MediaError("special_file", "archive member is a device or pipe, not a file")
    if entry.encrypted:
        raise MediaError("encrypted", "archive member is encrypted")
    if entry.size > limits.max_file_bytes:
        raise MediaError("too_large", f"archive member declares {entry.size} bytes, over the "
                                      f"limit of {limits.max_file_bytes}")
    packed = entry.packed_size
    if packed is not None and entry.size > 1024**2 and \
            entry.size > limits.max_archive_ratio * max(packed, 1):
        raise MediaError("decompression_bomb",
                         f"archive member expands {entry.size // max(packed, 1)}x")


def _read_whole(container: Container, entry: Entry, limits: Limits) -> bytes:
    """An entry's bytes, for a container nested in it (bounded like a picture)."""
    _check_entry(entry, limits)
    cap = min(limits.max_image_bytes, limits.max_file_bytes)
    data = container.read(entry.ref, cap + 1)
    if len(data) > cap:
        raise MediaError("decompression_bomb", "nested archive is larger than the limit")
    return data


def _open_container(fh: BinaryIO) -> Container:
    head = fh.read(HEADER_BYTES)
    fh.seek(0)
    source = source_for(head)
    if source is None:
        fh.close()
        raise MediaError("corrupt_archive", "not an archive Tessera opens")
    return source.open(fh)


class _ContainerCache:
    """Per-process cache of open containers, so a worker does not re-read a directory of
    entries for every member of a big archive."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._open: OrderedDict[tuple[str, tuple[int, ...]], Container] = OrderedDict()

    def get(self, disk_path: str, chain: tuple[int, ...], limits: Limits,
            secret: bytes | None = None) -> Container:
        key = (disk_path, chain)
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key]
        if chain:
            parent = self.get(disk_path, chain[:-1], limits, secret)
            data = _read_whole(parent, entry_of(parent, chain[-1]), limits)
            container = _open_container(io.BytesIO(data))
        else:
            container = _open_container(_open_file(disk_path, secret))
        self._open[key] = container
        while len(self._open) > self._size:
            _, old = self._open.popitem(last=False)
            old.close()
        return container


_OPEN = _ContainerCache()


def open_item(item: Item, limits: Limits, secret: bytes | None = None) -> BinaryIO:
    """A readable stream over the item's bytes (a file, or an archive member read in place);
    ``secret`` is the key a sealed item was staged with."""
    if item.error:
        raise item.error
    if item.sealed and secret is None:
        raise MediaError("unreadable", "a sealed upload cannot be read without its key")
    secret = secret if item.sealed else None
    if not item.members:
        return _open_file(item.disk_path, secret)
    container = _OPEN.get(item.disk_path, item.members[:-1], limits, secret)
    entry = entry_of(container, item.members[-1])
    _check_entry(entry, limits)
    return container.open(entry.ref)


def _walk(container: Container, disk_path: str, chain: tuple[int, ...], shown: str,
          limits: Limits, depth: int) -> Iterator[Item]:
    entries = container.entries()
    if len(entries) > limits.max_archive_members:
        yield Item(shown, disk_path, chain, error=MediaError(
            "too_many_members", f"archive holds {len(entries)} members, over the limit of "
                                f"{limits.max_archive_members}; none were read"))
        return
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.is_dir:
            continue
        safe, warns = _safe_member_name(entry.name)
        label = f"{shown}{ARCHIVE_SEPARATOR}{safe}"
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # the same name twice: both are evidence, keep them apart
            warns.append(f"duplicate_name: archive holds {safe!r} more than once")
            label = f"{label} [copy {seen[label]}]"
        members = (*chain, entry.ref)
        try:
            _check_entry(entry, limits)
            head = container.read(entry.ref, HEADER_BYTES)
        except MediaError as exc:
            yield Item(label, disk_path, members, entry.size, exc, tuple(warns))
            continue
        if source_for(head) is not None:
            yield from _walk_nested(container, entry, disk_path, members, label, limits,
                                    depth + 1)
        else:
            yield Item(label, disk_path, members, entry.size, None, tuple(warns))


def _walk_nested(parent: Container, entry: Entry, disk_path: str, members: tuple[int, ...],
                 label: str, limits: Limits, depth: int) -> Iterator[Item]:
    if depth > limits.max_archive_depth:
        yield Item(label, disk_path, members, error=MediaError(
            "archive_too_deep", f"archives nested deeper than {limits.max_archive_depth}"))
        return
    try:
        inner = _open_container(io.BytesIO(_read_whole(parent, entry, limits)))
    except MediaError as exc:
        yield Item(label, disk_path, members, error=exc)
        return
    with inner:
        yield from _walk(inner, disk_path, members, label, limits, depth)


def _walk_file(path: Path, limits: Limits, secret: bytes | None) -> Iterator[Item]:
    shown, sealed = str(path), secret is not None
    try:
        with _open_file(path, secret) as fh:
            head = fh.read(HEADER_BYTES)
            size = fh.seek(0, io.SEEK_END)
    except MediaError as exc:
        yield Item(shown, shown, error=exc, sealed=sealed)
        return
    source = source_for(head)
    if source is None:
        yield Item(shown, shown, size=size, sealed=sealed)
        return
    try:
        container = source.open(_open_file(path, secret))
    except MediaError as exc:
        yield Item(shown, shown, size=size, sealed=sealed, error=exc)
        return
    with container:
        for item in _walk(container, shown, (), shown, limits, 1):
            yield replace(item, sealed=sealed)


def iter_items(root: Path, limits: Limits, secret: bytes | None = None) -> Iterator[Item]:
    """Every file under ``root`` in a stable (sorted) order; archives expanded in place.
    With ``secret``, every file under ``root`` is sealed with that key (staged uploads).

    Symbolic links are not followed, so a link cannot pull files from outside the seizure.
    """
    root = Path(root)
    if root.is_symlink() or not root.exists():
        yield Item(str(root), str(root), error=MediaError("not_found", "no such file or folder"))
        return
    if root.is_file():
        yield from _walk_file(root, limits, secret)
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in dirnames:  # os.walk does not descend into them: say so, do not skip
            folder = Path(dirpath) / name
            if folder.is_symlink():
                yield Item(str(folder), str(folder), error=MediaError(
                    "symlink", "a symbolic link to a folder is not followed"))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                yield Item(str(path), str(path),
                           error=MediaError("symlink", "symbolic links are not followed"))
                continue
            yield from _walk_file(path, limits, secret)
