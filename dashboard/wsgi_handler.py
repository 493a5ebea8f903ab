"""The WSGI handler the dashboard is served by: Django's, with a request that stays readable
whatever its Content-Type says.

Django 5.2 fails on two kinds of Content-Type before any middleware or error view can answer,
so the client gets a server error and the log a traceback per request (or hundreds of lines):
- a parameter in RFC 2231's encoded form naming an unknown encoding (`charset*=BOGUS''x`)
  raises while the request is built;
- a form (`application/x-www-form-urlencoded`) in another charset than UTF-8 raises
  BadRequest when its fields are read, and again on every later read, including the CSRF
  check of the 400 page's own view, so even the 400 fails.
Here the first is read as a request without a Content-Type, and the second's fields are empty
after the first read, as Django already does for a multipart body it cannot read: the request
gets its 400 (or its answer, when it sent no fields that matter).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest


# The two methods are Django's own (HttpRequest's), not in its type stubs.
class DashboardRequest(WSGIRequest):
    def _set_content_type_params(self, meta: Any) -> None:
        try:
            super()._set_content_type_params(meta)  # type: ignore[misc]
        except (LookupError, ValueError):
            self.content_type, self.content_params = "", {}

    def _load_post_and_files(self) -> None:
        try:
            super()._load_post_and_files()
        except BadRequest:
            self._mark_post_parse_error()  # type: ignore[attr-defined]
            raise


class DashboardWSGIHandler(WSGIHandler):
    request_class = DashboardRequest
