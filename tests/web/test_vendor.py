"""The browser libraries the UI serves come from the project's own set-up (package.json): each
one named is installed, and nothing else under node_modules is reachable by name."""

from __future__ import annotations

import json

from tessera.web.vendor import FILES, TYPES, vendor_file


def test_every_served_library_is_installed_by_the_set_up() -> None:
    for name in FILES:
        path = vendor_file(name)
        assert path is not None, f"{name}: run `make` (npm ci) to install it"
        assert path.suffix in TYPES and path.stat().st_size > 1000


def test_only_the_named_files_are_served() -> None:
    for name in ("../package.json", "cytoscape/package.json", "chart.js/../../secret", ""):
        assert vendor_file(name) is None


def test_the_country_outlines_are_topojson_with_countries() -> None:
    path = vendor_file("countries.json")
    assert path is not None
    atlas = json.loads(path.read_text())
    assert atlas["type"] == "Topology" and len(atlas["objects"]["countries"]["geometries"]) > 150
