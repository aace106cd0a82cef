"""Browser libraries the UI serves itself: installed from the npm registry by the project's
set-up (``package.json``), never committed and never fetched from a CDN at run time.

Only the files named here are served, under ``/vendor/<name>``; a page that needs one says so
and works without it (the graph, charts and map each have a text alternative beside them)."""

from __future__ import annotations

import os
from pathlib import Path

FILES = {  # name served -> file in node_modules
    "cytoscape.js": "cytoscape/dist/cytoscape.min.js",  # the connections graph
    "chart.js": "chart.js/dist/chart.umd.min.js",  # the statistics charts
    "d3-array.js": "d3-array/dist/d3-array.min.js",  # needed by d3-geo
    "d3-geo.js": "d3-geo/dist/d3-geo.min.js",  # the map's projection
    "topojson.js": "topojson-client/dist/topojson-client.min.js",
    "countries.json": "world-atlas/countries-110m.json",  # Natural Earth country outlines
}
TYPES = {".js": "text/javascript", ".json": "application/json"}


def modules_dir() -> Path:
    """``TESSERA_NODE_MODULES``, else ``node_modules`` of the source checkout."""
    configured = os.environ.get("TESSERA_NODE_MODULES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "node_modules"


def vendor_file(name: str) -> Path | None:
    """The file behind a served name, or None (not one of ours, or not installed)."""
    relative = FILES.get(name)
    if relative is None:
        return None
    path = modules_dir() / relative
    return path if path.is_file() else None
