"""Protections every response and request gets: secure headers, body-size caps, rate limits."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict, deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tessera.core.errors import TesseraError

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; media-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
# the OpenAPI page is the one place that runs its own scripts, loaded from the app itself
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), autoplay=()"),
]


class TooLarge(TesseraError):
    """A request body over its cap; shown as 413."""


class RateLimited(TesseraError):
    """Too many attempts in a minute; shown as 429."""


class SecurityMiddleware:
    """Adds the headers to every response and caps request bodies by path, counting the bytes
    as they arrive (a missing or false Content-Length does not get around it)."""

    def __init__(self, app: ASGIApp, caps: list[tuple[str, int]], default_cap: int,
                 hsts: bool = False) -> None:
        self.app, self.caps, self.default_cap = app, caps, default_cap
        # behind HTTPS (secure cookies on), browsers are told never to use plain HTTP again
        self.headers = HEADERS + ([(b"strict-transport-security",
                                    b"max-age=63072000; includeSubDomains")] if hsts else [])

    def _cap(self, path: str) -> int:
        for prefix, cap in self.caps:
            if path.startswith(prefix):
                return cap
        return self.default_cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await _reject(send, cap, self.headers)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise TooLarge(f"request body over the limit of {cap:,} bytes")
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.headers if h[0] not in names]
            await send(message)

        await self.app(scope, counted, with_headers)


async def _reject(send: Send, cap: int, headers: list[tuple[bytes, bytes]]) -> None:
    body = (b'{"error":{"code":"too_large","message":"request body over the limit of '
            + f"{cap:,}".encode() + b' bytes"}}')
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), *headers]})
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """Sliding one-minute window per key, in memory (one server process)."""

    def __init__(self) -> None:
        self.hits: dict[str, deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def check(self, key: str, per_minute: int, *, record: bool = True) -> None:
        """Raise when ``key`` had ``per_minute`` hits in the last minute, else count this one
        (``record=False``: only look; count later with ``record``, e.g. failures alone)."""
        now = time.monotonic()
        with self.lock:
            window = self.hits[key]
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= per_minute:
                raise RateLimited("too many requests; wait a minute and try again")
            if record:
                window.append(now)

    def record(self, key: str) -> None:
        with self.lock:
            self.hits[key].append(time.monotonic())


class LoginThrottle:
    """Exponential back-off on failed logins per (client address, user name).

    After ``free`` failures from one address for one name, that address waits 1 s, 2 s, 4 s …
    (at most ``cap``) before it may try that name again; a success clears it. The key is the
    name as typed, whether or not such a user exists, so the answer (429 while waiting) tells
    nothing about accounts, and a stranger elsewhere cannot lock anybody out: the real user's
    own address has its own count. Memory is bounded (oldest keys dropped first)."""

    def __init__(self, free: int = 5, cap: float = 900.0, size: int = 100_000) -> None:
        self.free, self.cap, self.size = free, cap, size
        self.state: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()
        self.lock = threading.Lock()

    def check(self, address: str, name: str) -> None:
        with self.lock:
            _, until = self.state.get((address, name.lower()), (0, 0.0))
        wait = until - time.monotonic()
        if wait > 0:
            raise RateLimited(f"too many failed attempts; wait {int(wait) + 1} s and try again")

    def failed(self, address: str, name: str) -> None:
        key = (address, name.lower())
        with self.lock:
            count, _ = self.state.pop(key, (0, 0.0))
            count += 1
            delay = min(self.cap, 2.0 ** (count - self.free)) if count >= self.free else 0.0
            self.state[key] = (count, time.monotonic() + delay)
            while len(self.state) > self.size:
                self.state.popitem(last=False)

    def succeeded(self, address: str, name: str) -> None:
        with self.lock:
            self.state.pop((address, name.lower()), None)

    def forget(self, name: str) -> None:
        """An administrator's unlock: every address may try this name again at once."""
        with self.lock:
            for key in [k for k in self.state if k[1] == name.lower()]:
                del self.state[key]
