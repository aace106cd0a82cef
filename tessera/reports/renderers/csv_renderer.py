"""One row per (file, match), face match or other lead (``match_kind`` same-device, same-place,
…, with the fact in ``where``); a file without any still has one row, so nothing is dropped."""

from __future__ import annotations

import csv
import io

from tessera.reports.model import Report
from tessera.reports.renderers.base import RENDERERS, Renderer

COLUMNS = ["path", "status", "sha256", "md5", "size", "mime", "error_code", "error",
           "match_media_id", "match_kind", "distance", "transform", "series", "agency",
           "country", "victim_status", "where", "face", "face_score", "persons", "warnings",
           "path_raw"]


def spreadsheet_safe(value: object) -> object:
    """Neutralise spreadsheet formulas: a seized file name must not execute in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class CsvRenderer(Renderer):
    name = "csv"
    media_type = "text/csv"
    suffix = "csv"

    def render(self, report: Report) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for f in report.files:
            base = [f.path, f.status, f.sha256, f.md5, f.size, f.mime, f.error_code, f.error]
            warnings, raw = "; ".join(f.warnings), f.path_raw or ""
            rows = [m.to_dict() for m in f.matches]
            for m in rows:
                tail = [m["media_id"], m["kind"], m["distance"], m["transform"], m["series"],
                        m["agency"], m["country"], m["victim_status"], m["where"], "", "", ""]
                writer.writerow([spreadsheet_safe(v) for v in [*base, *tail, warnings, raw]])
            for face in f.faces:  # face matches are rows of their own kind
                first = face.series[0] if face.series else None
                tail = [face.media_id, "face", "", "", first.name if first else "",
                        first.agency if first else ",".join(face.submitted_by),
                        first.country if first else "", first.victim_status if first else "",
                        face.where, face.query_face, f"{face.score:.3f}",
                        "; ".join(p.words() for p in face.persons)]
                writer.writerow([spreadsheet_safe(v) for v in [*base, *tail, warnings, raw]])
            for c in f.connections:  # leads of other kinds (same camera, same place)
                first = c.series[0] if c.series else None
                if c.place is not None:  # a place the file was made in: its name, owner
                    named = c.place.name or f"a place held by {c.place.agency}"
                    tail = [None, c.kind, "", "", named, c.place.agency, "", "", c.fact, "",
                            f"{c.score:.3f}", ""]
                else:
                    tail = [c.media_id, c.kind, "", "", first.name if first else "",
                            first.agency if first else "", first.country if first else "",
                            first.victim_status if first else "", c.fact, "",
                            f"{c.score:.3f}", ""]
                writer.writerow([spreadsheet_safe(v) for v in [*base, *tail, warnings, raw]])
            if not rows and not f.faces and not f.connections:
                writer.writerow([spreadsheet_safe(v)
                                 for v in [*base, *[""] * 12, warnings, raw]])
        return out.getvalue().encode()


RENDERERS.register(CsvRenderer.name, CsvRenderer())
