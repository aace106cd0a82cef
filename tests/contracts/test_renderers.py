"""Every report format, and one registered only here, is reachable by name from the CLI
(`--out NAME=PATH`) and the API (`?format=NAME`): a new renderer is one module and one
registration, nothing else."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tessera.cli import app
from tessera.reports.build import summarise
from tessera.reports.model import FileEntry, Report
from tessera.reports.renderers import RENDERERS, Renderer
from tests.api.conftest import World, world  # noqa: F401  (the running service)
from tests.conftest import make_settings, write_pictures


class LinesRenderer(Renderer):
    """A toy format: one line per file, its path and status."""

    name = "lines"
    media_type = "text/plain"
    suffix = "txt"

    def render(self, report: Report) -> bytes:
        return "".join(f"{f.path}\t{f.status}\n" for f in report.files).encode()


def _sample() -> Report:
    odd = FileEntry("seized/caf\\xe9.jpg", "new", sha256="c" * 64,
                    path_raw=base64.b64encode(b"seized/caf\xe9.jpg").decode())
    return summarise([FileEntry("seized/a.jpg", "exact", sha256="a" * 64), odd,
                      FileEntry("seized/b.jpg", "error", error_code="corrupt", error="bad")],
                     "DE", "/seizure", [("pdq", 31, "bits")])


@pytest.mark.parametrize("name", RENDERERS.names())
def test_every_renderer_renders_every_file(name: str) -> None:
    renderer = RENDERERS.get(name)
    out = renderer.render(_sample()).decode("utf-8")
    assert renderer.suffix and renderer.media_type
    for path in ("seized/a.jpg", "seized/b.jpg"):
        assert path in out
    assert "caf" in out


def test_a_renderer_registered_in_a_test_reaches_the_cli(tmp_path: Path) -> None:
    from tessera.store import repos
    from tessera.store.bootstrap import initialise

    settings = make_settings(tmp_path / "home")
    initialise(settings, "test")
    from tessera.context import Context

    ctx = Context.open(settings)
    with ctx.db.session() as s:
        repos.add_agency(s, "DE", "Bundeskriminalamt", "DE", None)
    ctx.close()
    seizure = tmp_path / "seizure"
    write_pictures(seizure, [1, 2])
    env = {"TESSERA_HOME": str(settings.home), "TESSERA_WORKERS": "1", "TESSERA_FACES": "0",
           "TESSERA_SPEECH": "0"}
    with RENDERERS.registered("lines", LinesRenderer()):
        result = CliRunner().invoke(app, ["deconflict", str(seizure), "--agency", "DE",
                                          "--out", f"lines={tmp_path / 'r.txt'}",
                                          "--out", f"json={tmp_path / 'r.json'}"], env=env)
        assert result.exit_code == 0, result.output
        assert (tmp_path / "r.txt").read_text().count("\tnew\n") == 2
        assert len(json.loads((tmp_path / "r.json").read_text())["files"]) == 2
    unknown = CliRunner().invoke(app, ["deconflict", str(seizure), "--agency", "DE",
                                       "--out", f"lines={tmp_path / 'x.txt'}"], env=env)
    assert unknown.exit_code != 0 and "unknown report format 'lines'" in unknown.output


def test_a_renderer_registered_in_a_test_reaches_the_api(world: World) -> None:  # noqa: F811
    from tessera.synthetic import jpeg, picture

    files = [("files", ("x/1.jpg", jpeg(picture(5100)), "image/jpeg"))]
    job = world.client.post("/api/jobs", headers=world.as_("nl.inv"), files=files).json()
    world.wait("nl.inv", job["id"])
    with RENDERERS.registered("lines", LinesRenderer()):
        r = world.client.get(f"/api/jobs/{job['id']}/report", params={"format": "lines"},
                             headers=world.as_("nl.inv"))
        assert r.status_code == 200 and r.text == "x/1.jpg\tnew\n"
        assert r.headers["content-type"].startswith("text/plain")
        assert 'filename="tessera-job-' in r.headers["content-disposition"]
    for name in RENDERERS.names():
        r = world.client.get(f"/api/jobs/{job['id']}/report", params={"format": name},
                             headers=world.as_("nl.inv"))
        assert r.status_code == 200 and "x/1.jpg" in r.text, name
    gone = world.client.get(f"/api/jobs/{job['id']}/report", params={"format": "lines"},
                            headers=world.as_("nl.inv"))
    assert gone.status_code == 400 and "formats: csv, html, json" in gone.text
