"""Protections every response and request gets: secure headers and body-size caps."""

from __future__ import annotations

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
