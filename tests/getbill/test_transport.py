"""How the client reaches GetBill (transport.py, deadline.py): redirects, capped bodies,
network faults, the per-lookup deadline, the long-lived client.

Against real HTTP servers on loopback (tests/getbill/conftest.py); timeouts are small, so every
fault test is bounded by about a second.
"""

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from followups.getbill import (
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    followup_get,
    transport,
)
from tests.support.examples import (
    FOLLOWUP_ID,
    followup_envelope,
)
from tests.support.getbill_servers import (
    API_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    DEADLINE,
    DEADLINE_SLACK,
    TOKEN_PATH,
    RawServer,
    api_requests,
    drip,
    json_answer,
    requests_to,
    serve_followup,
    serve_tokens,
    timed,
)


def test_redirects_are_not_followed(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    target = upstream.url_for("/elsewhere")
    serve_followup(upstream, {}, status=302, headers={"Location": target})
    upstream.expect_request("/elsewhere").respond_with_json(followup_envelope())

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)

    assert requests_to(upstream, "/elsewhere") == []


def test_an_oversized_body_is_refused(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    padding = "x" * transport.MAX_RESPONSE_BYTES
    serve_followup(upstream, followup_envelope(notes=padding))

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)


def test_an_oversized_body_without_a_length_is_cut_off(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    produced = []

    def endless() -> Iterator[bytes]:
        yield b'{"error": false, "data": {"id": "abc123def456", "notes": "'
        for _ in range(1000):
            produced.append(1)
            yield b"x" * 65536

    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_response(
        Response(endless(), content_type="application/json")
    )

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)
    # The client stopped reading after about the cap (the server's buffers hold a little more).
    assert len(produced) < 200


def test_a_compressed_body_is_refused(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, headers={"Content-Encoding": "gzip"})

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)
    assert api_requests(upstream)[0].headers["Accept-Encoding"] == "identity"


def test_an_unreachable_upstream_is_unavailable(upstream: HTTPServer, settings: Any):
    serve_tokens(upstream, "token-one")
    with socket.create_server(("127.0.0.1", 0)) as unused:
        port = unused.getsockname()[1]
    settings.GETBILL_API_URL = f"http://127.0.0.1:{port}{API_PATH}"

    error, elapsed = timed(lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert isinstance(error, UpstreamUnavailableError)
    assert error.status_code == 503
    assert elapsed < DEADLINE + DEADLINE_SLACK


def test_an_unreachable_token_endpoint_is_unavailable(upstream: HTTPServer, settings: Any):
    with socket.create_server(("127.0.0.1", 0)) as unused:
        port = unused.getsockname()[1]
    settings.GETBILL_TOKEN_URL = f"http://127.0.0.1:{port}/token"

    with pytest.raises(UpstreamUnavailableError):
        followup_get(followup_id=FOLLOWUP_ID)
    assert api_requests(upstream) == []


def test_an_upstream_with_an_untrusted_certificate_gets_no_credentials(
    settings: Any, tmp_path: Path
):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    openssl_args = [
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
        *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
    ]
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    subprocess.run(  # noqa: S603 - fixed arguments
        [openssl, *openssl_args],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        serve_tokens(server, "token-one")
        serve_followup(server)
        origin = server.url_for("").rstrip("/")
        assert origin.startswith("https://")
        settings.GETBILL_API_URL = origin + API_PATH
        settings.GETBILL_TOKEN_URL = origin + TOKEN_PATH
        settings.GETBILL_CLIENT_ID = CLIENT_ID
        settings.GETBILL_CLIENT_SECRET = CLIENT_SECRET

        with pytest.raises(UpstreamUnavailableError):
            followup_get(followup_id=FOLLOWUP_ID)

        assert server.log == []
    finally:
        server.stop()


def test_a_dropped_connection_is_retried_once(raw_upstream: Callable[..., RawServer]):
    def script(conn: socket.socket, index: int) -> None:
        if index == 1:
            return  # closes without answering
        conn.sendall(json_answer(followup_envelope()))

    server = raw_upstream(script)

    assert followup_get(followup_id=FOLLOWUP_ID).id == FOLLOWUP_ID
    assert server.connections == 2


def test_a_connection_dropped_twice_is_an_upstream_failure(raw_upstream: Callable[..., RawServer]):
    server = raw_upstream(lambda conn, index: None)

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)
    assert server.connections == 2


def test_a_slow_answer_times_out_within_the_read_timeout(raw_upstream: Callable[..., RawServer]):
    raw_upstream(lambda conn, index: time.sleep(3))

    error, elapsed = timed(lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert isinstance(error, UpstreamTimeoutError)
    assert error.status_code == 504
    assert elapsed < DEADLINE + DEADLINE_SLACK


def test_the_deadline_is_shorter_than_a_long_read_timeout(
    raw_upstream: Callable[..., RawServer], settings: Any
):
    settings.GETBILL_READ_TIMEOUT = 30
    raw_upstream(lambda conn, index: time.sleep(3))

    error, elapsed = timed(lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert isinstance(error, UpstreamTimeoutError)
    assert elapsed < DEADLINE + DEADLINE_SLACK


def test_a_drip_fed_body_ends_at_the_deadline(raw_upstream: Callable[..., RawServer]):
    def script(conn: socket.socket, index: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: 100000\r\n\r\n")
        drip(conn, b" " * 100_000)

    raw_upstream(script)

    error, elapsed = timed(lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert isinstance(error, UpstreamTimeoutError)
    assert DEADLINE - 0.1 < elapsed < DEADLINE + DEADLINE_SLACK


def test_drip_fed_headers_end_at_the_deadline(raw_upstream: Callable[..., RawServer]):
    def script(conn: socket.socket, index: int) -> None:
        drip(conn, b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"a" * 10_000)

    raw_upstream(script)

    error, elapsed = timed(lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert isinstance(error, UpstreamTimeoutError)
    assert elapsed < DEADLINE + DEADLINE_SLACK


def test_a_drip_fed_token_endpoint_ends_at_the_deadline(upstream: HTTPServer, settings: Any):
    server = RawServer(lambda conn, index: drip(conn, b"HTTP/1.1 200 OK\r\n" + b"a" * 10_000))
    try:
        settings.GETBILL_TOKEN_URL = f"http://127.0.0.1:{server.port}/token"
        error, elapsed = timed(lambda: followup_get(followup_id=FOLLOWUP_ID))
    finally:
        server.close()

    assert isinstance(error, UpstreamTimeoutError)
    assert elapsed < DEADLINE + DEADLINE_SLACK
    assert api_requests(upstream) == []


def test_the_client_is_long_lived_and_rebuilt_when_settings_change(
    upstream: HTTPServer, settings: Any
):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream)
    followup_get(followup_id=FOLLOWUP_ID)
    client = transport.client_get()
    followup_get(followup_id=FOLLOWUP_ID)
    assert transport.client_get() is client

    settings.GETBILL_READ_TIMEOUT = 0.4

    followup_get(followup_id=FOLLOWUP_ID)
    assert transport.client_get() is not client
