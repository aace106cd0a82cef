"""A working view of a report: the files an investigator asks for, in the order and page they
want, grouped by series. The summary always speaks of the whole report; every format (page,
JSON, CSV, HTML) applies the same selection, so what one shows the others show."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tessera.reports.model import FileEntry, Report

SORTS = ("path", "status", "matches")
STATUS_ORDER = {"exact": 0, "near": 1, "error": 2, "new": 3}


def series_keys(f: FileEntry) -> list[str]:
    """The series (or hash-only holders) a file's matches name, faces included."""
    keys = [ref.key for m in f.matches for ref in m.series]
    keys += [ref.key for m in f.faces for ref in m.series]
    return list(dict.fromkeys(keys))


def agencies(f: FileEntry) -> set[str]:
    found = {ref.agency for m in f.matches for ref in m.series}
    found |= {a for m in f.matches for a in m.submitted_by}
    found |= {ref.agency for m in f.faces for ref in m.series}
    return found


def kinds(f: FileEntry) -> set[str]:
    return {m.kind for m in f.matches} | ({"face"} if f.faces else set())


@dataclass(frozen=True, slots=True)
class Selection:
    status: str | None = None  # exact | near | new | error
    series: str | None = None  # a series name, or "held by XX"
    agency: str | None = None  # owning or holding agency code
    kind: str | None = None  # match kind: exact, pdq, video, audio, face, …
    sort: str = "path"
    page: int = 1
    per_page: int | None = None  # None: every file

    def keeps(self, f: FileEntry) -> bool:
        return ((not self.status or f.status == self.status)
                and (not self.series or self.series in series_keys(f))
                and (not self.agency or self.agency in agencies(f))
                and (not self.kind or self.kind in kinds(f)))

    def apply(self, report: Report) -> tuple[Report, int]:
        """The selected files (this page of them) and how many were selected in all."""
        files = [f for f in report.files if self.keeps(f)]
        if self.sort == "status":
            files.sort(key=lambda f: (STATUS_ORDER.get(f.status, 9), f.path))
        elif self.sort == "matches":
            files.sort(key=lambda f: (-(len(f.matches) + len(f.faces)), f.path))
        else:
            files.sort(key=lambda f: f.path)
        total = len(files)
        if self.per_page:
            start = (max(1, self.page) - 1) * self.per_page
            files = files[start:start + self.per_page]
        return replace(report, files=files), total

    def choices(self, report: Report) -> dict[str, list[str]]:
        """What may be filtered on in this report (for the page's selects)."""
        return {"series": sorted({k for f in report.files for k in series_keys(f)}),
                "agency": sorted({a for f in report.files for a in agencies(f)}),
                "kind": sorted({k for f in report.files for k in kinds(f)})}


def grouped(files: list[FileEntry]) -> list[tuple[str, list[FileEntry]]]:
    """Files under the first series each names; files naming none last."""
    groups: dict[str, list[FileEntry]] = {}
    for f in files:
        keys = series_keys(f)
        groups.setdefault(keys[0] if keys else "", []).append(f)
    named = sorted((k, v) for k, v in groups.items() if k)
    return named + ([("", groups[""])] if "" in groups else [])
