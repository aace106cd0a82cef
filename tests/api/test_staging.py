"""Uploads at rest: staged sealed with the evidence key while their job waits, multipart
spooling inside the protected data folder, and every file of the data folder private."""

from __future__ import annotations

import hashlib
import stat
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from tessera.access import identity
from tessera.access.policy import Role
from tessera.config import Settings
from tessera.context import Context
from tessera.core.sealed import open_sealed
from tessera.media.sources import iter_items
from tessera.server import create_app
from tessera.store import repos
from tessera.store.blobs import load_key
from tessera.store.bootstrap import initialise
from tessera.synthetic import jpeg, picture
from tests.conftest import make_settings


def _home(tmp_path: Path) -> tuple[Settings, str]:
    """A data folder with one investigator of AU, and their API token."""
    settings = make_settings(tmp_path / "home")
    initialise(settings, "test")
    ctx = Context.open(settings)
    with ctx.db.session() as s:
        agency = repos.add_agency(s, "AU", "Australian Federal Police", "AU", None)
        token, _ = identity.create_token(s, identity.create_user(
            s, "inv", "correct horse battery staple", agency, Role.INVESTIGATOR), "t")
    ctx.close()
    return settings, token


def test_a_waiting_upload_is_sealed_and_the_data_folder_private(tmp_path: Path) -> None:
    settings, token = _home(tmp_path)
    app = create_app(settings, run_tasks=False)  # the job stays queued: its files wait
    client = TestClient(app)
    picture_bytes = jpeg(picture(11))
    big = b"\xff\xd8" + b"EVIDENCE" * (300 * 1024)  # over Starlette's 1 MB spool threshold
    r = client.post("/api/jobs", headers={"authorization": f"Bearer {token}"},
                    files=[("files", ("case/a.jpg", picture_bytes, "image/jpeg")),
                           ("files", ("case/big.bin", big, "application/octet-stream"))])
    assert r.status_code == 202, r.text
    assert tempfile.gettempdir() == str(settings.temp_dir)  # spooling stays in the data folder
    staged = sorted(p for p in (settings.home / "staging").rglob("*") if p.is_file())
    assert [p.name for p in staged] == ["a.jpg", "big.bin"]
    key = load_key(settings.key_path)
    for path, plain in zip(staged, (picture_bytes, big), strict=True):
        raw = path.read_bytes()
        assert plain[:64] not in raw and b"EVIDENCE" not in raw  # not in the clear on disk
        with open_sealed(path, key) as fh:
            assert fh.read() == plain
    items = list(iter_items(staged[0].parent, settings.limits, key))
    assert [i.size for i in items] == [len(picture_bytes), len(big)] and all(i.sealed
                                                                             for i in items)
    for path in settings.home.rglob("*"):  # nothing in the data folder is open to others
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_a_search_query_waits_sealed_too(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tessera.service import views

    settings, token = _home(tmp_path)
    query = jpeg(picture(12))
    on_disk: list[bytes] = []
    real = views.search_image

    def spy(ctx, p, path, name, **kw):  # type: ignore[no-untyped-def]
        on_disk.append(path.read_bytes())  # what lies in staging while the search runs
        return real(ctx, p, path, name, **kw)

    monkeypatch.setattr(views, "search_image", spy)
    with TestClient(create_app(settings, run_tasks=False)) as client:
        r = client.post("/api/search", headers={"authorization": f"Bearer {token}"},
                        files={"file": ("q.jpg", query, "image/jpeg")})
    assert r.status_code == 200 and r.json()["file"]["status"] == "new"
    assert r.json()["file"]["sha256"] == hashlib.sha256(query).hexdigest()
    assert on_disk and query[:200] not in on_disk[0]
