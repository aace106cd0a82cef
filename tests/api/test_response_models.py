"""Every JSON answer of the API has a response model (documented in OpenAPI, and an answer
with an undeclared field fails instead of leaking), except the routes listed here as not yet
modelled: a new route without a model fails, and so does a listed one that gained its model
(take it off the list)."""

from __future__ import annotations

import typing

from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import JSONResponse

from tessera.api.routes import ROUTERS

# Nested, policy-shaped records still answered as plain JSON (debt of issue 14).
NOT_YET_MODELLED = {
    ("GET", "/series/{series_id}"), ("PATCH", "/series/{series_id}"),
    ("GET", "/media/{media_id}"), ("POST", "/search"),
    ("GET", "/persons"), ("POST", "/persons"), ("GET", "/persons/{person_id}"),
    ("PATCH", "/persons/{person_id}"), ("POST", "/persons/{person_id}/faces"),
    ("GET", "/media/{media_id}/faces"), ("POST", "/faces/search"),
    ("POST", "/faces/clusters"), ("GET", "/faces/clusters"),
    ("POST", "/faces/clusters/{run_id}/merge"), ("POST", "/faces/clusters/{run_id}/split"),
    ("POST", "/faces/clusters/{run_id}/remove"), ("POST", "/faces/clusters/{run_id}/link"),
}


def _json_routes() -> dict[tuple[str, str], APIRoute]:
    out = {}
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            answers_json = route.response_class in (JSONResponse,) or \
                getattr(route.response_class, "value", None) is JSONResponse
            if answers_json and route.path != "/jobs/{job_id}/report":  # any registered format
                for method in route.methods:
                    out[(method, route.path)] = route
    return out


def _is_model(annotation: object) -> bool:
    """A model, or a list or optional of one (a bare dict is no model)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return bool(args) and typing.get_origin(annotation) is not dict and all(map(_is_model, args))


def test_every_json_route_has_a_response_model() -> None:
    routes = _json_routes()
    assert set(routes) >= NOT_YET_MODELLED, "a listed route no longer exists"
    missing = {key for key, route in routes.items() if not _is_model(route.response_model)}
    assert missing == NOT_YET_MODELLED
