"""``create_app``: the FastAPI application, its one exception translator and its lifecycle.

Errors a user can act on (``TesseraError``) become JSON ``{"error": {"code", "message"}}`` with a
fitting status; anything else is logged with its traceback and answered with a bare 500, so no
stack trace ever reaches a client.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tessera import __version__
from tessera.access.identity import AuthError
from tessera.access.policy import Forbidden
from tessera.access.throttle import RateLimited
from tessera.config import Settings
from tessera.context import Context
from tessera.core.errors import ConfigError, Conflict, IntegrityError, NotFound, TesseraError
from tessera.http.deps import NotAuthenticated
from tessera.http.security import SecurityMiddleware, TooLarge
from tessera.service.runtime import Services
from tessera.service.tasks import TaskRunner
from tessera.store.blobs import load_key
from tessera.web.vendor import TYPES, vendor_file

log = logging.getLogger("tessera.api")
STATIC = Path(__file__).resolve().parent / "web" / "static"
# Swagger UI 5 (the one that reads OpenAPI 3.1), as files of a registry package: nothing
# comes from a CDN; we use only its files and start it from our own script (CSP)
SWAGGER_UI = Path(importlib.util.find_spec("fastapi_offline").origin).parent / "static"  # type: ignore[arg-type,union-attr]

_STATUS: list[tuple[type[TesseraError], int, str]] = [
    (NotAuthenticated, 401, "not_authenticated"), (AuthError, 401, "login_failed"),
    (Forbidden, 403, "forbidden"), (NotFound, 404, "not_found"), (Conflict, 409, "conflict"),
    (TooLarge, 413, "too_large"), (RateLimited, 429, "rate_limited"),
    (IntegrityError, 500, "integrity"), (ConfigError, 500, "config"),
]


def _status(exc: TesseraError) -> tuple[int, str]:
    for cls, status, code in _STATUS:
        if isinstance(exc, cls):
            return status, code
    return 400, "invalid"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and \
        "text/html" in request.headers.get("accept", "")


def _error_page(request: Request, status: int, message: str) -> Response:
    from tessera.web.pages import render_error

    return render_error(request, status, message)


def create_app(settings: Settings, *, run_tasks: bool = True) -> FastAPI:
    os.umask(0o077)  # the service's files (staging, spooled parts, indexes) are its own
    ctx = Context.open(settings).isolate()
    # Starlette spools multipart parts over 1 MB to the process's temporary folder: point it
    # into the protected data folder (0700), never the machine's shared /tmp
    settings.temp_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(settings.temp_dir, 0o700)
    tempfile.tempdir = str(settings.temp_dir)
    services = Services(ctx, TaskRunner(ctx) if run_tasks else None, load_key(settings.key_path))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services.runner:
            services.runner.start()
        yield
        if services.runner:
            services.runner.stop()
        ctx.save_indexes()
        ctx.close()

    app = FastAPI(title="Tessera", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="De-conflict seized media against a shared database. "
                              "Authenticate with `Authorization: Bearer <API token>`.")
    app.state.services = services
    limits = settings.service
    app.add_middleware(SecurityMiddleware, caps=[
        ("/api/jobs", limits.max_upload_bytes), ("/api/search", limits.max_search_bytes),
        ("/search", limits.max_search_bytes), ("/api/imports", limits.max_import_bytes)],
        default_cap=1024 * 1024,
        hsts=limits.cookie_secure)

    @app.exception_handler(TesseraError)
    async def tessera_error(request: Request, exc: TesseraError) -> Response:
        status, code = _status(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        if _wants_html(request):
            if isinstance(exc, NotAuthenticated):
                return RedirectResponse("/login", status_code=303)
            return _error_page(request, status, str(exc))
        return JSONResponse({"error": {"code": code, "message": str(exc)}}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [{"loc": list(e.get("loc", [])), "message": e.get("msg", "")}
                   for e in exc.errors()]
        return JSONResponse({"error": {"code": "invalid", "message": "invalid request",
                                       "details": details}}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return _error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": {"code": "http", "message": str(exc.detail)}},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": {"code": "internal", "message": "internal error"}},
                            status_code=500)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> Response:
        path = vendor_file(name)
        if path is None:
            return JSONResponse({"error": {"code": "not_found", "message":
                                           f"{name} is not installed: run `make demo`"}},
                                status_code=404)
        return FileResponse(path, media_type=TYPES[path.suffix],
                            headers={"cache-control": "public, max-age=86400"})
    app.mount("/api/docs/assets", StaticFiles(directory=str(SWAGGER_UI)), name="swagger")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Tessera API</title>"
            "<link rel=stylesheet href=/api/docs/assets/swagger-ui.css></head><body>"
            "<div id=swagger></div><script src=/api/docs/assets/swagger-ui-bundle.js></script>"
            "<script src=/static/docs.js></script></body></html>")

    from tessera.api.routes import ROUTERS
    from tessera.web.pages import router as web_router

    for router in ROUTERS:
        app.include_router(router, prefix="/api")
    app.include_router(web_router)
    return app
