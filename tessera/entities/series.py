"""Series: a set of media that belong together, owned by one agency, with the identification
status of its victim and offender. Status changes are audited."""

from __future__ import annotations

from datetime import UTC, datetime

from tessera.context import Context
from tessera.core.errors import TesseraError
from tessera.core.types import OffenderStatus, VictimStatus
from tessera.store import audit, repos


def set_status(ctx: Context, name: str, victim: str | None, offender: str | None,
               agency: str | None = None) -> dict:
    if victim is None and offender is None:
        raise TesseraError("give --victim and/or --offender")
    try:
        victim_value = VictimStatus(victim).value if victim else None
        offender_value = OffenderStatus(offender).value if offender else None
    except ValueError as exc:
        raise TesseraError(f"{exc}; victim: {', '.join(v.value for v in VictimStatus)}; "
                           f"offender: {', '.join(o.value for o in OffenderStatus)}") from None
    with ctx.db.session() as s:
        series = repos.get_series(s, name, repos.get_agency(s, agency) if agency else None)
        before = {"victim": series.victim_status, "offender": series.offender_status}
        if victim_value:
            series.victim_status = victim_value
        if offender_value:
            series.offender_status = offender_value
        series.updated_at = datetime.now(UTC)
        after = {"victim": series.victim_status, "offender": series.offender_status}
        audit.append(s, ctx.actor, "series.set_status", f"series:{series.id}",
                     agency=series.owner.code, details={"before": before, "after": after})
        return {"series": series.name, **after}
