"""A single self-contained HTML file: no external assets, no script, summary first. Its
previews are blurred greyscale pixels (the report builder shields them): a file that leaves the
server holds no picture to reveal."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tessera.matching.leads.base import kind_words
from tessera.reports.model import Report
from tessera.reports.renderers.base import RENDERERS, Renderer

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent),
                   autoescape=select_autoescape(["html", "j2"]))
_ENV.globals["kind_words"] = kind_words


class HtmlRenderer(Renderer):
    name = "html"
    media_type = "text/html"
    suffix = "html"

    def render(self, report: Report) -> bytes:
        return _ENV.get_template("report.html.j2").render(report=report).encode()


RENDERERS.register(HtmlRenderer.name, HtmlRenderer())
