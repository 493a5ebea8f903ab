"""Fixtures of the client's tests: the loopback upstreams, with the client pointed at them, and
the faked GetBill with the example followup for the tests of the answer cache."""

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.support.answer_cache import expires_in
from tests.support.fake_getbill import FakeGetBill
from tests.support.getbill_servers import (
    API_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    DEADLINE,
    TOKEN_PATH,
    RawServer,
    serve_tokens,
)


@pytest.fixture(scope="module")
def upstream_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def upstream(upstream_server: HTTPServer, settings: Any) -> HTTPServer:
    """The pytest-httpserver upstream, with the client pointed at it."""
    upstream_server.clear()
    origin = upstream_server.url_for("").rstrip("/")
    settings.GETBILL_API_URL = origin + API_PATH
    settings.GETBILL_TOKEN_URL = origin + TOKEN_PATH
    settings.GETBILL_CLIENT_ID = CLIENT_ID
    settings.GETBILL_CLIENT_SECRET = CLIENT_SECRET
    settings.GETBILL_SCOPES = "followups:read"
    settings.GETBILL_CONNECT_TIMEOUT = 0.5
    settings.GETBILL_READ_TIMEOUT = 0.5
    settings.GETBILL_DEADLINE = DEADLINE
    return upstream_server


@pytest.fixture
def raw_upstream(upstream: HTTPServer, settings: Any) -> Iterator[Callable[..., RawServer]]:
    """Serve the API from a RawServer running `script`; tokens still come from `upstream`."""
    servers = []

    def start(script: Callable[[socket.socket, int], None]) -> RawServer:
        server = RawServer(script)
        servers.append(server)
        settings.GETBILL_API_URL = f"http://127.0.0.1:{server.port}{API_PATH}"
        return server

    serve_tokens(upstream, "raw-token")
    yield start
    for server in servers:
        server.close()


@pytest.fixture
def fake_followup(fake_getbill: FakeGetBill, settings: Any) -> FakeGetBill:
    """GetBill with the example followup, its recording link valid for an hour; answers fresh
    for ten minutes and kept an hour."""
    settings.GETBILL_CACHE_SECONDS = 600
    settings.GETBILL_STALE_SECONDS = 3600
    fake_getbill.followup_add(media_urls_expire_at=expires_in(3600))
    return fake_getbill
