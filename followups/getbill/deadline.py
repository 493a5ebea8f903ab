"""The per-lookup deadline.

httpx's timeouts apply to each socket operation, so an upstream sending a byte every few
seconds never trips them. The lookup's deadline is therefore applied below httpx, in the
network backend (`transport.py`): every connect, TLS handshake, read and write gets at most the
time left. Name resolution is the one step outside it; the system resolver bounds it on its own.
"""

import contextlib
import math
import time
from collections.abc import Iterator
from contextvars import ContextVar

from followups.getbill.errors import UpstreamTimeoutError

_deadline: ContextVar[float | None] = ContextVar("getbill_deadline", default=None)


@contextlib.contextmanager
def deadline_applied(*, seconds: float) -> Iterator[None]:
    """Run one lookup under its overall deadline, `seconds` from now."""
    scope = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(scope)


def remaining() -> float:
    """Seconds left before the current lookup's deadline; UpstreamTimeoutError once passed."""
    deadline = _deadline.get()
    if deadline is None:
        return math.inf
    left = deadline - time.monotonic()
    if left <= 0:
        raise UpstreamTimeoutError()
    return left


def deadline_passed() -> bool:
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline


def clamped(timeout: float | None, exc_class: type[Exception]) -> float | None:
    """`timeout` cut to the time left; `exc_class` (a timeout of the caller's layer) once none."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc_class("deadline of the GetBill lookup passed")
    return left if timeout is None else min(timeout, left)
