"""The served WSGI handler answers requests whose Content-Type Django cannot read with a page
of its own, not a server error (dashboard.wsgi_handler)."""

import io
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from dashboard.wsgi_handler import DashboardWSGIHandler

pytestmark = pytest.mark.django_db

CSRF_COOKIE = "a" * 32


@pytest.fixture
def served() -> Iterator[DashboardWSGIHandler]:
    # As Django's test client does: the test's database connection outlives each request.
    request_finished.disconnect(close_old_connections)
    try:
        yield DashboardWSGIHandler()
    finally:
        request_finished.connect(close_old_connections)


def _call(handler: DashboardWSGIHandler, **environ: Any) -> tuple[int, bytes]:
    body = environ.pop("body", b"")
    setup_testing_defaults(environ)
    environ.update(
        {
            "SERVER_NAME": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
        }
    )
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)

    response = handler(environ, start_response)
    content = b"".join(response)
    response.close()
    return int(statuses[0].split()[0]), content


@pytest.mark.parametrize(
    "content_type",
    ["text/plain; charset*=BOGUS''x", "text/plain; charset*=utf-8''%ff%fe", "a/b; charset*="],
)
def test_a_content_type_naming_an_unknown_encoding_is_read_as_none(
    served: DashboardWSGIHandler, content_type: str
) -> None:
    status, _ = _call(served, PATH_INFO="/healthz", CONTENT_TYPE=content_type)
    assert status == 200


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "UTF8"])
def test_a_form_in_another_charset_than_utf8_is_a_400(
    served: DashboardWSGIHandler, charset: str
) -> None:
    status, content = _call(
        served,
        REQUEST_METHOD="POST",
        PATH_INFO="/accounts/login/",
        CONTENT_TYPE=f"application/x-www-form-urlencoded; charset={charset}",
        HTTP_COOKIE=f"csrftoken={CSRF_COOKIE}",
        body=b"username=x&password=y",
    )
    assert status == 400
    assert b"Traceback" not in content
