"""The idle timeout without a database write on every request.

Django's SESSION_SAVE_EVERY_REQUEST writes each signed-in request's session, so every page
(panels, player reports...) is a write that competes for the database. Pushing the session's
end back once a minute keeps the idle timeout within a minute of exact, for one write a minute
per user.
"""

import time
from collections.abc import Callable

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
        # Without a session cookie (the load balancer's health checks, the sign-in page) there
        # is nothing to refresh, and no session is loaded.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            session = request.session
            now = int(time.time())
            if SESSION_KEY in session and now - session.get(_REFRESHED_AT, 0) >= (
                SESSION_REFRESH_SECONDS
            ):
                session[_REFRESHED_AT] = now
        return self.get_response(request)
