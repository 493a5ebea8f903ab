"""A request ID on every request: in every log line, in the `X-Request-ID` response header and
on error pages, so the reference a user quotes leads to the log lines of that request.

The ID is taken from the request's `X-Request-ID` only when the proxy in front is trusted to
set it (DJANGO_TRUST_X_REQUEST_ID), and only when it looks like an ID; else it is generated.
"""

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-ID"
# What a proxy's ID may look like (UUIDs, hex, AWS/GCP trace IDs); anything else is replaced, so
# no header text reaches a log line or a page.
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{0,127}")
# gunicorn logs its access line after the response, outside the request: its atoms carry the
# response's headers under this key.
_GUNICORN_RESPONSE_HEADER = "{x-request-id}o"

_current: ContextVar[str | None] = ContextVar("request_id", default=None)
# Django logs a response of 400 or more once every middleware has returned, outside this
# module's context: the record carries the request, which carries its ID here.
_META_KEY = "dashboard.request_id"


def request_id_get() -> str | None:
    """The ID of the request being handled, or None outside a request."""
    return _current.get()


def _request_id_choose(request: HttpRequest) -> str:
    if settings.DASHBOARD_TRUST_X_REQUEST_ID:
        given = request.headers.get(HEADER, "")
        if _ACCEPTED.fullmatch(given):
            return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every other middleware's log lines and responses have the ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = _request_id_choose(request)
        request.META[_META_KEY] = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Gives every log record a `request_id` ("-" outside a request) for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id: object = _current.get()
        request = getattr(record, "request", None)
        if request_id is None and isinstance(request, HttpRequest):
            request_id = request.META.get(_META_KEY)
        if request_id is None and isinstance(record.args, Mapping):
            request_id = record.args.get(_GUNICORN_RESPONSE_HEADER)
        record.request_id = request_id if isinstance(request_id, str) and request_id else "-"
        return True
