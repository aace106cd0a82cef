"""Every registered media source (container format) keeps the same promises: read in place,
stored order, bytes intact, names only labels, duplicates kept apart, nesting in any format,
links refused and damage reported per item. A new format is one module and one registration,
plus a writer here so that these promises are checked for it too."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tessera.config import Limits
from tessera.core.errors import MediaError
from tessera.media.sources import ARCHIVE_SEPARATOR, SOURCES, Item, iter_items, open_item

#: A member is (name, bytes) for a file, or (name, None, target) for a symbolic link.
Member = tuple[str, bytes] | tuple[str, None, str]
Writer = Callable[[list[Member]], bytes]


def _zip(members: list[Member]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member in members:
            if member[1] is None:
                info = zipfile.ZipInfo(member[0])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, member[2])  # type: ignore[misc]
            else:
                zf.writestr(member[0], member[1])
    return buf.getvalue()


def _tar(members: list[Member]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for member in members:
            info = tarfile.TarInfo(member[0])
            if member[1] is None:
                info.type, info.linkname = tarfile.SYMTYPE, member[2]  # type: ignore[misc]
                tf.addfile(info)
            else:
                info.size = len(member[1])
                tf.addfile(info, io.BytesIO(member[1]))
    return buf.getvalue()


WRITERS: dict[str, Writer] = {"zip": _zip, "tar": _tar}
FORMATS = SOURCES.names()


def _write(tmp_path: Path, fmt: str, members: list[Member]) -> Path:
    path = tmp_path / f"seized.{fmt}"
    path.write_bytes(WRITERS[fmt](members))
    return path


def _read(item: Item) -> bytes:
    with open_item(item, Limits()) as fh:
        return fh.read()


def _inner(item: Item) -> str:
    return item.path.split(ARCHIVE_SEPARATOR, 1)[1]


def test_every_registered_source_has_a_writer_here() -> None:
    assert FORMATS, "no source registered"
    assert set(FORMATS) <= set(WRITERS), "add a writer for the new source to WRITERS"


@pytest.mark.parametrize("fmt", FORMATS)
def test_members_are_read_in_place_in_stored_order_with_their_bytes(
        tmp_path: Path, fmt: str) -> None:
    members: list[Member] = [("z/last.jpg", b"one"), ("a/first.png", b"\x00two\xff"),
                             ("m.bin", os.urandom(70_000))]
    archive = _write(tmp_path, fmt, members)
    before = sorted(os.listdir(tmp_path))
    items = list(iter_items(archive, Limits()))
    assert sorted(os.listdir(tmp_path)) == before  # nothing extracted beside it
    assert [_inner(i) for i in items] == ["z/last.jpg", "a/first.png", "m.bin"]
    assert all(i.error is None and i.disk_path == str(archive) for i in items)
    assert [_read(i) for i in items] == [m[1] for m in members]
    assert [i.size for i in items] == [len(m[1]) for m in members]  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_member_names_are_labels_that_cannot_climb_out(tmp_path: Path, fmt: str) -> None:
    archive = _write(tmp_path, fmt, [("../../etc/evil.jpg", b"1"), ("/abs/x.jpg", b"2"),
                                     ("ok\\win.jpg", b"3")])
    items = list(iter_items(archive, Limits()))
    assert [_inner(i) for i in items] == ["etc/evil.jpg", "abs/x.jpg", "ok/win.jpg"]
    assert all(any("unsafe_path" in w for w in i.warnings) for i in items)
    assert not (tmp_path.parent / "etc").exists()
    assert [_read(i) for i in items] == [b"1", b"2", b"3"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_name_stored_twice_gives_two_items_with_their_own_bytes(
        tmp_path: Path, fmt: str) -> None:
    with warnings.catch_warnings():  # zipfile warns of the duplicate it writes
        warnings.simplefilter("ignore")
        archive = _write(tmp_path, fmt, [("same.jpg", b"first"), ("same.jpg", b"second")])
    first, second = iter_items(archive, Limits())
    assert first.path != second.path and "duplicate_name" in " ".join(second.warnings)
    assert (_read(first), _read(second)) == (b"first", b"second")


@pytest.mark.parametrize("outer", FORMATS)
@pytest.mark.parametrize("inner", FORMATS)
def test_archives_nest_in_any_registered_format(tmp_path: Path, outer: str,
                                                inner: str) -> None:
    packed = WRITERS[inner]([("photo.jpg", b"inner-bytes")])
    archive = _write(tmp_path, outer, [(f"inner.{inner}", packed), ("beside.txt", b"b")])
    nested, beside = iter_items(archive, Limits())
    assert _inner(nested) == f"inner.{inner}{ARCHIVE_SEPARATOR}photo.jpg"
    assert (_read(nested), _read(beside)) == (b"inner-bytes", b"b")


@pytest.mark.parametrize("fmt", FORMATS)
def test_nesting_deeper_than_the_limit_is_a_per_item_error(tmp_path: Path, fmt: str) -> None:
    packed = WRITERS[fmt]([("photo.jpg", b"x")])
    for level in range(Limits().max_archive_depth):
        packed = WRITERS[fmt]([(f"level{level}.{fmt}", packed)])
    (item,) = iter_items(_write(tmp_path, fmt, [("deep." + fmt, packed)]), Limits())
    assert item.error is not None and item.error.code == "archive_too_deep"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_link_member_is_reported_never_followed(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "outside.jpg").write_bytes(b"secret")
    archive = _write(tmp_path, fmt, [("link.jpg", None, str(tmp_path / "outside.jpg")),
                                     ("real.jpg", b"real")])
    link, real = iter_items(archive, Limits())
    assert link.error is not None and link.error.code == "symlink"
    assert _read(real) == b"real"


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_many_members_is_one_error_and_nothing_read(tmp_path: Path, fmt: str) -> None:
    archive = _write(tmp_path, fmt, [(f"f{k}.jpg", b"x") for k in range(6)])
    (item,) = iter_items(archive, Limits(max_archive_members=5))
    assert item.error is not None and item.error.code == "too_many_members"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_oversized_member_is_refused_before_it_is_read(tmp_path: Path, fmt: str) -> None:
    archive = _write(tmp_path, fmt, [("big.bin", b"\0" * 5000), ("small.jpg", b"s")])
    big, small = iter_items(archive, Limits(max_file_bytes=4096))
    assert big.error is not None and big.error.code == "too_large"
    assert small.error is None


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_a_truncated_archive_gives_per_item_errors_never_wrong_bytes(
        tmp_path: Path, fmt: str, keep: float) -> None:
    members = {f"f{k}.bin": os.urandom(4000) for k in range(4)}
    whole = WRITERS[fmt](list(members.items()))
    archive = tmp_path / f"cut.{fmt}"
    end = len(whole.rstrip(b"\0"))  # a cut inside trailing padding would cut nothing
    archive.write_bytes(whole[: int(end * keep)])
    outcomes = [_outcome(item, members) for item in iter_items(archive, Limits())]
    assert outcomes, "a damaged archive still yields an item saying so"
    assert set(outcomes) <= {"error", "read_error", "intact"}
    assert outcomes.count("intact") < len(members)  # what was cut off is not reported read


def _outcome(item: Item, members: dict[str, bytes]) -> str:
    """How one item of a damaged archive came out: an error, or exactly its original bytes."""
    if item.error is not None:
        return "error"
    try:
        data = _read(item)
    except MediaError:
        return "read_error"
    return "intact" if data == members.get(_inner(item)) else f"wrong bytes in {item.path}"
