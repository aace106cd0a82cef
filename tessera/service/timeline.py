"""A series' timeline: when it was first seen, who submitted its files, which uploads of other
agencies matched it, each identification step, the notes between agencies and the connections
confirmed, oldest first, each as far as the reader may know it.

Other agencies' holdings and matches are the owner's to know (it was told of each); any other
reader sees the owner's submissions and its own agency's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tessera.core.words import file_count
from tessera.service import discussion, links
from tessera.service.views import get_series, series_history
from tessera.store import repos

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.access.policy import Principal


def _at(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def series_timeline(s: Session, p: Principal, series_id: int) -> list[dict[str, Any]]:
    x = get_series(s, p, series_id)  # hidden: "not found"
    owner = x.owner
    own = p.operator or x.owner_agency_id == p.agency_id
    codes = {a.id: a.code for a in repos.list_agencies(s)}
    events: list[dict[str, Any]] = [
        {"at": _at(x.created_at), "kind": "created", "agency": owner.code, "by": None,
         "text": f"Series created by {owner.name} ({owner.code})"}]
    for agency_id, case, first, last, n in repos.submission_groups(s, x.id):
        if not (own or agency_id in (x.owner_agency_id, p.agency_id)):
            continue
        where = f" in case {case}" if case and (own or agency_id == p.agency_id) else ""
        span = f" (until {_at(last)[:10]})" if _at(last)[:10] != _at(first)[:10] else ""
        events.append({"at": _at(first), "kind": "submitted", "agency": codes[agency_id],
                       "by": None, "text": f"{codes[agency_id]} submitted "
                                           f"{file_count(n)}{where}{span}"})
    if own:
        for told in repos.matches_told(s, x):
            events.append({"at": _at(told.created_at), "kind": "matched",
                           "agency": codes.get(told.from_agency_id), "by": None,
                           "text": told.message})
    for step in series_history(s, p, x):
        events.append({"at": step["at"], "kind": "status", "agency": step["agency"],
                       "by": step["by"], "text": f"{step['subject']}: {step['before']} → "
                                                 f"{step['after']}"
                                                 + (f" ({step['note']})" if step["note"] else "")})
    for post in discussion.thread(s, p, x.id):
        events.append({"at": post["at"], "kind": "note", "agency": post["agency"],
                       "by": post["by"], "text": post["text"][:500]})
    for link in links.links_of(s, p, ("series", x.id), states=("confirmed",)):
        other = link["b"] if (link["a"]["type"], link["a"]["id"]) == ("series", x.id) \
            else link["a"]
        events.append({"at": link["decided_at"] or link["created_at"], "kind": "linked",
                       "agency": None, "by": link["decided_by"] or link["created_by"],
                       "text": f"{link['words']}: {other['words']} ({other['agency']})"})
    return sorted(events, key=lambda e: e["at"])
