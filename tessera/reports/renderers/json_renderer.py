from __future__ import annotations

import json

from tessera.reports.model import Report
from tessera.reports.renderers.base import RENDERERS, Renderer


class JsonRenderer(Renderer):
    name = "json"
    media_type = "application/json"
    suffix = "json"

    def render(self, report: Report) -> bytes:
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False).encode()


RENDERERS.register(JsonRenderer.name, JsonRenderer())
