"""Connections: what a series, person or place links to and why; suggestions confirmed or
rejected by an investigator; links asserted; the graph around an entity and the path between
two; the thread between agencies on any entity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from tessera.api.schemas import GraphOut, LinkOut, PostOut, SuggestOut
from tessera.entities.links import ASSERTED_KINDS, ENTITY_TYPES
from tessera.http.deps import MAX_ID, RowId, Svc, Who
from tessera.service import discussion, links

router = APIRouter(tags=["connections"])

TYPES = "|".join(ENTITY_TYPES)
EntityType = Annotated[str, Path(pattern=f"^({TYPES})$")]
EntityRef = Annotated[str, Query(pattern=rf"^({TYPES}):[0-9]{{1,12}}$",
                                 description="type:id, e.g. series:4")]


class EndIn(BaseModel):
    type: str = Field(pattern=f"^({TYPES})$")
    id: int = Field(ge=1, le=MAX_ID)


class LinkIn(BaseModel):
    a: EndIn
    b: EndIn
    kind: str = Field(max_length=24, description=" | ".join(ASSERTED_KINDS))
    note: str | None = Field(default=None, max_length=2000)


class DecisionIn(BaseModel):
    state: str = Field(pattern="^(confirmed|rejected)$")
    note: str | None = Field(default=None, max_length=2000)


def _end(ref: str) -> tuple[str, int]:
    kind, _, number = ref.partition(":")
    return kind, int(number)


@router.get("/entities/{entity_type}/{entity_id}/links", response_model=list[LinkOut])
def links_of(entity_type: EntityType, entity_id: RowId, svc: Svc, p: Who,
             state: str = Query("", pattern="^(|suggested|confirmed|rejected)$")
             ) -> list[dict[str, Any]]:
    """Confirmed first, then suggestions by score, then rejected ones (kept so that they
    never come back)."""
    states = (state,) if state else ("suggested", "confirmed", "rejected")
    with svc.ctx.db.session() as s:
        return links.links_of(s, p, (entity_type, entity_id), states=states)


@router.get("/entities/{entity_type}/{entity_id}/graph", response_model=GraphOut)
def graph(entity_type: EntityType, entity_id: RowId, svc: Svc, p: Who,
          depth: int = Query(2, ge=1, le=6), suggested: bool = True) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return links.graph(s, p, (entity_type, entity_id), depth, include_suggested=suggested)


@router.get("/entities/{entity_type}/{entity_id}/component", response_model=GraphOut)
def connected(entity_type: EntityType, entity_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    """Everything joined to the entity by confirmed links, however far."""
    with svc.ctx.db.session() as s:
        return links.connected(s, p, (entity_type, entity_id))


@router.get("/links/path", response_model=list[LinkOut])
def path(svc: Svc, p: Who, a: EntityRef, b: EntityRef) -> list[dict[str, Any]]:
    """The fewest confirmed links from ``a`` to ``b``; empty when they are not connected."""
    with svc.ctx.db.session() as s:
        return links.path(s, p, _end(a), _end(b))


@router.post("/links", status_code=201, response_model=LinkOut)
def assert_link(body: LinkIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return links.assert_link(s, p, (body.a.type, body.a.id), (body.b.type, body.b.id),
                                 body.kind, body.note)


@router.post("/links/{link_id}/decision", response_model=LinkOut)
def decide(link_id: RowId, body: DecisionIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return links.decide_link(s, p, link_id, body.state, body.note)


@router.post("/series/{series_id}/links/suggest", response_model=SuggestOut)
def suggest(series_id: RowId, svc: Svc, p: Who) -> dict[str, int]:
    """Look again for what one's own series connects to (new material arrives elsewhere)."""
    found = links.suggest_for_series(svc.ctx, p, series_id)
    return {"media": found.media, "leads": found.leads, "created": found.created,
            "updated": found.updated}


class EntityPostIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000,
                      description="@CODE names an agency, which is told if it may read it")


@router.get("/entities/{entity_type}/{entity_id}/discussion", response_model=list[PostOut])
def entity_thread(entity_type: EntityType, entity_id: RowId, svc: Svc, p: Who
                  ) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return discussion.thread_of(s, p, (entity_type, entity_id))


@router.post("/entities/{entity_type}/{entity_id}/discussion", status_code=201,
             response_model=PostOut)
def entity_post(entity_type: EntityType, entity_id: RowId, body: EntityPostIn, svc: Svc,
                p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return discussion.post_on(s, p, (entity_type, entity_id), body.text)
