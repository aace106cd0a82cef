"""``tessera serve``: the web service."""

from __future__ import annotations

from typing import Annotated

import typer

from tessera.cli.common import app, command, out
from tessera.config import Settings


@command(app)
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="TCP port")] = 8000) -> None:
    """Run the web service (REST API under /api, OpenAPI at /api/docs, web UI at /)."""
    import uvicorn

    from tessera.server import create_app

    settings = Settings.from_env()
    app_ = create_app(settings)
    out.print(f"Tessera on http://{host}:{port}  (data: {settings.home})")
    proxies = settings.service.trusted_proxies  # only they may say who the client is
    uvicorn.run(app_, host=host, port=port, log_level="info", proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None, server_header=False)
