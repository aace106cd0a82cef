"""Statistics: counts per agency or country, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from tessera.api.schemas import StatsOut
from tessera.http.deps import Svc, Who
from tessera.service import stats

router = APIRouter(tags=["statistics"])


@router.get("/stats", response_model=StatsOut,
            responses={200: {"content": {"text/csv": {}}}})
def statistics(svc: Svc, p: Who, since: datetime | None = None, until: datetime | None = None,
               by: Literal["agency", "country"] = "agency",
               format: Literal["json", "csv"] = "json") -> Any:
    """Victims identified and safeguarded, offenders identified, arrested and convicted, files
    de-conflicted and spared from triage, in a period; counts only."""
    with svc.ctx.db.session() as s:
        table = stats.statistics(s, p, since=since, until=until, by=by)
    if format == "csv":
        return Response(stats.as_csv(table), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": 'attachment; filename="tessera-statistics.csv"'})
    return table
