"""What a long-running service holds beside its context: the job runner, the evidence key,
the preview cache and the attempt budgets. The HTTP adapters get it per request; use cases in
``service`` take it explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from tessera.access.throttle import LoginThrottle, RateLimiter
from tessera.context import Context
from tessera.service.tasks import TaskRunner
from tessera.service.views import ThumbnailCache


@dataclass
class Services:
    ctx: Context
    runner: TaskRunner | None
    key: bytes
    thumbnails: ThumbnailCache = field(default_factory=ThumbnailCache)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
