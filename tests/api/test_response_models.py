"""Every JSON answer of the API has a response model: documented in OpenAPI, and an answer
with an undeclared field fails (a 500 the route's tests see) instead of leaking. A new route
without a model fails here."""

from __future__ import annotations

import typing

from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import JSONResponse

from tessera.api.routes import ROUTERS


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
    assert len(routes) > 40  # the walk found the routes
    missing = {key for key, route in routes.items() if not _is_model(route.response_model)}
    assert missing == set()
