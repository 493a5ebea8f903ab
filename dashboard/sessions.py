"""Sessions: read in one plain statement, and the idle timeout without a database write on
every request.

`SessionStore` (SESSION_ENGINE "dashboard.sessions") is Django's database store, reading a
session's data with one plain statement: every signed-in request reads its session first, and
building the ORM's query cost several times more CPU than running it.

Django's SESSION_SAVE_EVERY_REQUEST writes each signed-in request's session, so every page
(panels, player reports...) is a write that competes for the database. Pushing the session's
end back once a minute keeps the idle timeout within a minute of exact, for one write a minute
per user. A short idle time is pushed back sooner (a thirtieth of it at most late): with a
one-minute timeout, a refresh once a minute would sign out a user who clicked seconds ago.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

SESSION_REFRESH_SECONDS = 60
# The share of the idle time a session may end early by; 1/30 of the default 30 minutes is the
# minute above.
SESSION_REFRESH_IDLE_SHARE = 30
_REFRESHED_AT = "_idle_refreshed_at"


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        if not self.session_key:
            return {}
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        columns = {f.name: quote(f.column) for f in model._meta.concrete_fields if f.column}
        data, key, expiry = columns["session_data"], columns["session_key"], columns["expire_date"]
        # Only identifiers are formatted in; the key and the moment are parameters.
        statement = (
            f"SELECT {data} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {key} = %s AND {expiry} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(statement, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            # Expired or unknown, as Django's store: a new key when it is saved.
            self._session_key = None
            return {}
        return self.decode(row[0])


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
        # What a page asks on its own (polling) is not the user's activity.
        if getattr(view_func, "session_activity", True) is False:
            return
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return
        session = request.session
        now = int(time.time())
        refresh_seconds = min(
            SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // SESSION_REFRESH_IDLE_SHARE
        )
        if SESSION_KEY in session and now - session.get(_REFRESHED_AT, 0) >= refresh_seconds:
            session[_REFRESHED_AT] = now


def not_session_activity(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark `view` as asked by a page on its own (a poll): it does not push the session's end
    back, so an open page left alone still signs its user out."""
    view.session_activity = False  # type: ignore[attr-defined]
    return view
