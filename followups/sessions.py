"""The idle timeout without a database write on every request.

Django's SESSION_SAVE_EVERY_REQUEST writes each signed-in request's session, so every page
(panels, player reports...) is a write that competes for the database. Pushing the session's
end back once a minute keeps the idle timeout within a minute of exact, for one write a minute
per user.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponseBase

SESSION_REFRESH_SECONDS = 60
_REFRESHED_AT = "_idle_refreshed_at"


class SessionIdleRefreshMiddleware:
    """Mark a signed-in session modified when it was last saved a minute ago or more, so
    SessionMiddleware saves it with a new expiry (and sends the cookie again)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        # Public pages (sign-in, the load balancer's health checks) do not keep a session
        # alive, and without a session cookie there is nothing to refresh: neither loads one.
        if getattr(view_func, "login_required", True) is False:
            return
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return
        session = request.session
        now = int(time.time())
        if SESSION_KEY in session and now - session.get(_REFRESHED_AT, 0) >= (
            SESSION_REFRESH_SECONDS
        ):
            session[_REFRESHED_AT] = now
