"""A database or cache that is down or restarting answers a 503 page, not a 500.

Django turns an exception raised anywhere in a request (a middleware loading the session, a
view, the footer reading the cache) into a call of `handler500`; for these errors that handler
answers "temporarily unavailable" with Retry-After. The page is rendered without the request,
so rendering it needs neither the database nor the cache.
"""

import sqlite3
import sys

import redis.exceptions
from django import db
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

# Raised when PostgreSQL restarts or is out of reach (psycopg's errors come wrapped as Django's),
# when SQLite stays locked past its busy timeout, when the embedded default's disk cache
# cannot be read or written (its SQLite errors come unwrapped), and when Redis is down,
# restarting (BusyLoadingError is a ConnectionError) or too slow.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    db.OperationalError,
    db.InterfaceError,
    sqlite3.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_AFTER_SECONDS = 30


def outage_response() -> HttpResponse:
    page = loader.get_template("errors/unavailable.html").render()
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: the 503 page for an outage of the database or cache, else Django's."""
    if isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        return outage_response()
    return defaults.server_error(request)
