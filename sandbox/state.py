"""The sandbox's only mutable state: per-client rate-limit windows, kept in process memory.

GetBill limits each OAuth client with a sliding window. The sandbox keeps the time of every
counted request in the window, so the quota frees up one request at a time as the oldest ones
age out, not all at once. Shared by the server's threads, hence the lock.
"""

import math
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimitWindow:
    allowed: bool
    limit: int
    remaining: int
    window_seconds: int
    reset_at: float  # Unix time when the oldest counted request leaves the window
    retry_after: int  # seconds before a request can succeed again; 0 when allowed


_lock = threading.Lock()
_hits: dict[str, deque[float]] = {}


def rate_limit_hit(
    *, key: str, limit: int, window_seconds: int, now: float | None = None
) -> RateLimitWindow:
    """Count one request for `key` if the window has room; refused requests are not counted."""
    now = time.time() if now is None else now
    with _lock:
        hits = _hits.setdefault(key, deque())
        while hits and hits[0] <= now - window_seconds:
            hits.popleft()
        allowed = len(hits) < limit
        if allowed:
            hits.append(now)
        reset_at = hits[0] + window_seconds if hits else now + window_seconds
        return RateLimitWindow(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - len(hits)),
            window_seconds=window_seconds,
            reset_at=reset_at,
            retry_after=0 if allowed else max(1, math.ceil(reset_at - now)),
        )


def sandbox_state_reset() -> None:
    """Forget every rate-limit window (tests start from a fresh quota)."""
    with _lock:
        _hits.clear()


def requests_counted() -> int:
    """How many API requests the sandbox has counted since the last reset, for tests that
    check what reached it (and that nothing did)."""
    with _lock:
        return sum(len(hits) for hits in _hits.values())
