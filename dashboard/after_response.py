"""Work a page may leave until its response has been sent, because losing it is harmless (the
recently viewed list): the user does not wait for it, and a page's writes to the database
that must come first (its audit entry) queue behind one write fewer.

`AfterResponseMiddleware` collects such work during a request and runs it when the server
closes the response, after the last byte went out and before Django's own end-of-request
handling (which may close the database connection the work would use). Outside a request
(a command, a test calling a service), the work runs at once, and so it does inside
`work_at_once()`: for a response that acknowledges what it wrote (a webhook delivery), where
nothing may be left until after it.
"""

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

_pending: contextvars.ContextVar[list[Callable[[], object]] | None] = contextvars.ContextVar(
    "after_response_pending", default=None
)


def after_response(work: Callable[[], object]) -> None:
    """Run `work` once this request's response is sent; at once outside a request."""
    pending = _pending.get()
    if pending is None:
        work()
    else:
        pending.append(work)


@contextmanager
def work_at_once() -> Iterator[None]:
    """Within the block, `after_response` work runs at once, even during a request."""
    token = _pending.set(None)
    try:
        yield
    finally:
        _pending.reset(token)


def _pending_run(pending: list[Callable[[], object]]) -> None:
    for work in pending:
        try:
            work()
        except Exception:
            # The page was shown already; what is lost is only what `after_response` allows.
            logger.warning("Work after the response failed", exc_info=True)
    pending.clear()


class AfterResponseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        pending: list[Callable[[], object]] = []
        token = _pending.set(pending)
        try:
            response = self.get_response(request)
        except BaseException:
            pending.clear()  # no response to wait for: the error is the request's outcome
            raise
        finally:
            _pending.reset(token)
        if pending:
            # Django's response runs its closers when the server closes it, before it sends
            # `request_finished` (whose handler may close the database connection). The list
            # is Django's own, not in its type stubs; the tests of this module fail if it goes.
            response._resource_closers.append(  # type: ignore[attr-defined]
                lambda: _pending_run(pending)
            )
        return response
