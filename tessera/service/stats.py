"""Statistics like ICSE's public figures: victims identified and safeguarded, offenders
identified and arrested, per agency or country and period; identifications per day; files
de-conflicted; and files an agency was spared from triaging because a match showed another
agency already knew them. Counts only: no series, names or files."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tessera.access.policy import Action, Principal, require
from tessera.core.errors import TesseraError
from tessera.store.repos import stats as stats_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COLUMNS = ("victims_identified", "victims_safeguarded", "offenders_identified",
           "offenders_arrested", "offenders_convicted", "series", "series_victim_unidentified",
           "files_deconflicted", "files_spared")
STEP_COLUMN = {("victim", "identified"): "victims_identified",
               ("victim", "safeguarded"): "victims_safeguarded",
               ("offender", "identified"): "offenders_identified",
               ("offender", "arrested"): "offenders_arrested",
               ("offender", "convicted"): "offenders_convicted"}


def statistics(s: Session, p: Principal, *, since: datetime | None = None,
               until: datetime | None = None, by: str = "agency") -> dict[str, Any]:
    """Rows per agency (or country) for the period, a total row, and identifications a day.
    Steps count when they were taken; ``series`` columns count the series as they stand."""
    require(p, Action.VIEW_STATS)
    if by not in ("agency", "country"):
        raise TesseraError("statistics are by agency or by country")
    agencies = stats_repo.agencies(s)

    def key(agency_id: int) -> str:
        a = agencies[agency_id]
        return a.code if by == "agency" else a.country

    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for agency_id in agencies:
        rows[key(agency_id)]  # every agency (or country) has its row, zeros included
    for agency_id, subject, after, n in stats_repo.status_steps(s, since, until):
        column = STEP_COLUMN.get((subject, after))
        if column:
            rows[key(agency_id)][column] += n
    for agency_id, victim, _offender, n in stats_repo.current_statuses(s):
        rows[key(agency_id)]["series"] += n
        if victim == "unidentified":
            rows[key(agency_id)]["series_victim_unidentified"] += n
    for column, counts in (("files_deconflicted", stats_repo.deconflicted_files(s, since, until)),
                           ("files_spared", stats_repo.spared_files(s, since, until))):
        for agency_id, n in counts.items():
            rows[key(agency_id)][column] += n
    total = {c: sum(r[c] for r in rows.values()) for c in COLUMNS}
    return {"by": by, "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "rows": [{by: k, **v} for k, v in sorted(rows.items())], "total": total,
            "identified_per_day": [{"day": d, "victims": n} for d, n in stats_repo.status_days(
                s, since, until, ("identified", "safeguarded"))]}


def as_csv(table: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table["by"], *COLUMNS])
    for row in table["rows"]:
        writer.writerow([row[table["by"]], *(row[c] for c in COLUMNS)])
    writer.writerow(["total", *(table["total"][c] for c in COLUMNS)])
    return out.getvalue()
