import io
import os
import warnings
import zipfile
from pathlib import Path

from tessera.config import Limits
from tessera.media.sources import iter_items, open_item


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_folders_are_walked_recursively_in_stable_order(tmp_path: Path) -> None:
    for rel in ["b/2.jpg", "a/1.jpg", "a/deeper/3.jpg", "c.jpg"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    paths = [Path(i.path).relative_to(tmp_path).as_posix() for i in iter_items(tmp_path,
                                                                               Limits())]
    assert paths == ["c.jpg", "a/1.jpg", "a/deeper/3.jpg", "b/2.jpg"]


def test_zip_members_are_read_in_place_and_traversal_is_neutralised(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "seized.zip", {"../../etc/evil.jpg": b"data1",
                                             "/abs/x.jpg": b"data2", "ok/y.jpg": b"data3"})
    before = set(os.listdir(tmp_path))
    items = list(iter_items(archive, Limits()))
    assert set(os.listdir(tmp_path)) == before  # nothing extracted
    shown = [i.path.split("!/", 1)[1] for i in items]
    assert shown == ["etc/evil.jpg", "abs/x.jpg", "ok/y.jpg"]
    assert items[0].warnings and "unsafe_path" in items[0].warnings[0]
    with open_item(items[2], Limits()) as fh:
        assert fh.read() == b"data3"


def test_zip_bomb_member_is_a_per_item_error(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"bomb.bin": b"\0" * (50 * 1024**2),
                                           "fine.txt": b"hello"})
    items = list(iter_items(archive, Limits()))
    assert items[0].error is not None and items[0].error.code == "decompression_bomb"
    assert items[1].error is None


def test_nested_zip_is_expanded(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("photo.jpg", b"inner-bytes")
    archive = _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    (item,) = list(iter_items(archive, Limits()))
    assert item.path.endswith("outer.zip!/inner.zip!/photo.jpg")
    with open_item(item, Limits()) as fh:
        assert fh.read() == b"inner-bytes"


def test_corrupt_zip_and_missing_path_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (item,) = list(iter_items(bad, Limits()))
    assert item.error is not None and item.error.code == "corrupt_archive"
    (missing,) = list(iter_items(tmp_path / "nope", Limits()))
    assert missing.error is not None and missing.error.code == "not_found"


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"secret")
    seizure = tmp_path / "seizure"
    seizure.mkdir()
    (seizure / "link.jpg").symlink_to(outside)
    (item,) = list(iter_items(seizure, Limits()))
    assert item.error is not None and item.error.code == "symlink"


def test_a_name_twice_in_one_zip_gives_two_items(tmp_path: Path) -> None:
    archive = tmp_path / "dup.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("photo.jpg", b"first")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate: that is the test
            zf.writestr("photo.jpg", b"second")
    items = list(iter_items(archive, Limits()))
    assert len({i.path for i in items}) == 2
    contents = []
    for item in items:
        with open_item(item, Limits()) as fh:
            contents.append(fh.read())
    assert contents == [b"first", b"second"]
    assert "duplicate_name" in items[1].warnings[0]


def test_a_symlinked_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    from tessera.config import Limits
    from tessera.media.sources import iter_items

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.jpg").write_bytes(b"\xff\xd8\xff")
    seizure = tmp_path / "seizure"
    seizure.mkdir()
    (seizure / "linked").symlink_to(outside, target_is_directory=True)
    items = list(iter_items(seizure, Limits()))
    assert [(Path(i.path).name, i.error.code if i.error else None) for i in items] == [
        ("linked", "symlink")]


def test_a_symlink_inside_a_zip_is_reported_not_read(tmp_path: Path) -> None:
    import stat
    import zipfile

    from tessera.config import Limits
    from tessera.media.sources import iter_items

    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("etc-link.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("real.jpg", b"\xff\xd8\xff\xe0")
    found = {i.path.split("!/")[1]: i.error.code if i.error else None
             for i in iter_items(archive, Limits())}
    assert found == {"etc-link.jpg": "symlink", "real.jpg": None}
