"""Report renderers, registered by name: add a format with one module and one registration."""

from tessera.reports.renderers import csv_renderer, html_renderer, json_renderer  # noqa: F401
from tessera.reports.renderers.base import RENDERERS, Renderer, renderer

__all__ = ["RENDERERS", "Renderer", "renderer"]
