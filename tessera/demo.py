"""`tessera demo`: a whole de-confliction on generated, benign media, from an empty data folder.

Two agencies hold known series; a third seizes a device with copies (exact and transformed),
new pictures and broken files, and asks what is already known.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from rich.console import Console

from tessera.config import Settings
from tessera.context import Context
from tessera.entities.series import set_status
from tessera.pipeline.deconflict import deconflict
from tessera.pipeline.ingest import ingest
from tessera.reports.renderers import RENDERERS
from tessera.store import audit, repos
from tessera.store.bootstrap import initialise
from tessera.synthetic import TRANSFORMS, jpeg, picture, png

SERIES = [("Series Ocean", "AU", range(0, 12), "identified"),
          ("Series Forest", "NL", range(100, 110), "unidentified"),
          ("Series Harbour", "AU", range(200, 206), "safeguarded")]
AGENCIES = [("AU", "Australian Federal Police", "AU", "victim-id@afp.example"),
            ("NL", "Dutch National Police", "NL", "vic@politie.example"),
            ("DE", "Bundeskriminalamt", "DE", "ident@bka.example")]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def make_known(root: Path) -> dict[str, Path]:
    folders = {}
    for name, _, seeds, _ in SERIES:
        folder = root / name.lower().replace(" ", "-")
        for seed in seeds:
            _write(folder / f"img_{seed:04d}.jpg", jpeg(picture(seed)))
        folders[name] = folder
    return folders


def make_seizure(root: Path) -> None:
    """Copies of known media (exact and transformed), new media and bad files."""
    transforms = list(TRANSFORMS.items())
    for i, seed in enumerate([0, 1, 2, 100, 101, 200]):
        _write(root / "dcim" / f"copy_{seed}.jpg", jpeg(picture(seed)))  # byte-identical
        tname, fn = transforms[i % len(transforms)]
        _write(root / "dcim" / f"edit_{seed}_{tname}.jpg", jpeg(fn(picture(seed)), 85))
    for i, (tname, fn) in enumerate(transforms):
        _write(root / "downloads" / f"forest_{tname}.jpg", jpeg(fn(picture(102 + i)), 80))
    for seed in range(900, 912):
        _write(root / "camera" / f"new_{seed}.jpg", jpeg(picture(seed)))
    _write(root / "camera" / "screenshot.png", png(picture(950)))
    _write(root / "misc" / "holiday.jpg", png(picture(3)))  # a PNG named .jpg
    _write(root / "misc" / "truncated.jpg", jpeg(picture(4))[:1500])
    _write(root / "misc" / "empty.jpg", b"")
    _write(root / "misc" / "notes.jpg", b"this is a text file, not a picture\n")
    with zipfile.ZipFile(root / "archive.zip", "w") as zf:
        zf.writestr("chat/sent_5.jpg", jpeg(picture(5), 70))
        zf.writestr("../../escape_attempt.jpg", jpeg(picture(103)))
        zf.writestr("chat/new_960.jpg", jpeg(picture(960)))


def run_demo(output: Path, console: Console) -> None:
    output = output.resolve()
    home = output / "tessera-data"
    if output.exists():
        shutil.rmtree(output)
    settings = Settings.from_env(env={}, home=home)
    console.print(f"[bold]Tessera demo[/] in {output}")
    initialise(settings, "demo")
    ctx = Context.open(settings)
    ctx.actor = "demo"
    with ctx.db.session() as s:
        for code, name, country, contact in AGENCIES:
            repos.add_agency(s, code, name, country, contact)
            audit.append(s, ctx.actor, "agency.add", f"agency:{code}", agency=code)
    folders = make_known(output / "known")
    for name, agency, _, victim in SERIES:
        summary = ingest(ctx, folders[name], agency, case_ref=f"OP-{agency}-1", series_name=name)
        set_status(ctx, name, victim, None)
        console.print(f"  {agency} ingested {summary.files} files into '{name}' "
                      f"(victim {victim})")
    seizure = output / "seizure"
    make_seizure(seizure)
    console.print(f"\nDE de-conflicts a seizure of generated files: {seizure}\n")
    report = deconflict(ctx, seizure, "DE")
    for line in report.lines:
        console.print(f"  {line}")
    paths = {}
    for fmt in ("html", "json", "csv"):
        paths[fmt] = output / f"report.{fmt}"
        paths[fmt].write_bytes(RENDERERS.get(fmt).render(report))
    console.print(f"\nReport: {paths['html']}  (also {paths['json'].name}, {paths['csv'].name})")
    console.print(f"Explore: TESSERA_HOME={home} tessera series list")
    ctx.close()
