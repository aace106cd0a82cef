"""How often one may try: a per-key request budget and a back-off on failed logins.

In memory, per server process; the HTTP adapters report ``RateLimited`` as 429."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict, deque

from tessera.core.errors import TesseraError


class RateLimited(TesseraError):
    """Too many attempts in a minute."""


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
