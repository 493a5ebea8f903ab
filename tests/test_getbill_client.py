"""The GetBill client against real HTTP servers on loopback.

Well-behaved and faulty upstreams are pytest-httpserver handlers; faults an HTTP framework
cannot produce (drip-fed headers, dropped connections) come from a raw socket server.
Timeouts are set small, so every fault test is bounded by about a second.
"""

import json
import logging
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from followups import getbill
from followups.getbill import (
    AccessDeniedError,
    Followup,
    InvalidIdError,
    NotFoundError,
    RateLimitedError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    debt_followups_get,
    followup_get,
    getbill_id_clean,
    parse,
    rate_limit_status_get,
    tokens,
    transport,
)
from followups.getbill.config import config_get
from followups.getbill.tokens import token_cache_for

CLIENT_ID = "dashboard-client"
CLIENT_SECRET = "s3cr3t-client-value-9f8e7d"
TOKEN_PATH = "/oauth/token"
API_PATH = "/api/v1"
DEADLINE = 1.0
# A lookup past the deadline by more than this is a failure to enforce it.
DEADLINE_SLACK = 0.6

FOLLOWUP_ID = "abc123def456"
DEBT_ID = "xyz789ghi012"
AUDIO_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=0123abcd"
# The documented example (get-followup-page.txt).
FOLLOWUP_DATA: dict[str, Any] = {
    "id": FOLLOWUP_ID,
    "debt_id": DEBT_ID,
    "status": "deal_found",
    "type": "call",
    "call_date": "2024-01-22T10:30:00+00:00",
    "scheduled_at": "2024-01-22T10:00:00+00:00",
    "summary": "Successfully contacted debtor, agreed to payment plan",
    "notes": "Customer was cooperative and agreed to pay €500 monthly starting February 1st.",
    "call_id": "call_789456",
    "audio_url": AUDIO_URL,
    "pdf_url": None,
    "duration_ms": 180000,
    "disconnection_reason": "completed_successfully",
    "direction": "outbound",
    "phone_number_used": "+33800123456",
    "is_retry": False,
    "processed_at": "2024-01-22T10:35:00+00:00",
    "triggered_payment": True,
    "email_opened": False,
    "email_open_count": 0,
    "email_first_opened_at": None,
    "email_clicked": False,
    "email_click_count": 0,
    "media_urls_expire_at": "2024-01-22T11:35:00+00:00",
}


def envelope(**overrides: Any) -> dict[str, Any]:
    return {"error": False, "message": "Success", "data": {**FOLLOWUP_DATA, **overrides}}


# --- Servers -------------------------------------------------------------------------------


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


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path.startswith(path)]


def token_requests(server: HTTPServer) -> list[Request]:
    return requests_to(server, TOKEN_PATH)


def api_requests(server: HTTPServer) -> list[Request]:
    return requests_to(server, API_PATH)


def serve_tokens(
    server: HTTPServer, *tokens: str, expires_in: Any = 3600, delay: float = 0
) -> None:
    """Token endpoint handing out `tokens` in turn (the last one repeated)."""
    issued = iter(tokens)
    last = [tokens[-1]]

    def handler(request: Request) -> Response:
        time.sleep(delay)
        last[0] = next(issued, last[0])
        body: dict[str, Any] = {"access_token": last[0], "token_type": "Bearer"}
        if expires_in is not None:
            body["expires_in"] = expires_in
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(TOKEN_PATH, method="POST").respond_with_handler(handler)


def serve_followup(
    server: HTTPServer, payload: Any = None, *, followup_id: str = FOLLOWUP_ID, **kwargs: Any
) -> None:
    server.expect_request(f"{API_PATH}/followups/{followup_id}", method="GET").respond_with_json(
        envelope() if payload is None else payload, **kwargs
    )


def bearer(request: Request) -> str:
    return request.headers.get("Authorization", "")


class RawServer:
    """A loopback TCP server; each connection (numbered from 1) runs `script` after the
    request head has been read. For faults an HTTP framework will not produce."""

    def __init__(self, script: Callable[[socket.socket, int], None]) -> None:
        self._script = script
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.connections), daemon=True).start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        with conn:
            conn.settimeout(3)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                self._script(conn, index)
            except OSError:
                pass

    def close(self) -> None:
        self._stopped.set()
        self._listener.close()
        self._thread.join(timeout=1)


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


def json_answer(payload: Any, status: str = "200 OK") -> bytes:
    body = json.dumps(payload).encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def drip(conn: socket.socket, data: bytes, *, every: float = 0.05, limit: float = 5.0) -> None:
    """Send `data` a byte at a time, each well within the read timeout; stop after `limit`."""
    stop = time.monotonic() + limit
    for byte in data:
        if time.monotonic() > stop:
            return
        conn.sendall(bytes([byte]))
        time.sleep(every)


def timed(call: Callable[[], Any]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


# --- A successful lookup -------------------------------------------------------------------


def test_followup_parsed_with_every_documented_field(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream)

    followup = followup_get(followup_id=FOLLOWUP_ID)

    assert followup == Followup(
        id=FOLLOWUP_ID,
        debt_id=DEBT_ID,
        status="deal_found",
        type="call",
        call_date=datetime(2024, 1, 22, 10, 30, tzinfo=UTC),
        scheduled_at=datetime(2024, 1, 22, 10, 0, tzinfo=UTC),
        processed_at=datetime(2024, 1, 22, 10, 35, tzinfo=UTC),
        summary="Successfully contacted debtor, agreed to payment plan",
        notes=FOLLOWUP_DATA["notes"],
        call_id="call_789456",
        audio_url=AUDIO_URL,
        pdf_url=None,
        duration_ms=180000,
        disconnection_reason="completed_successfully",
        direction="outbound",
        phone_number_used="+33800123456",
        is_retry=False,
        triggered_payment=True,
        email_opened=False,
        email_open_count=0,
        email_first_opened_at=None,
        email_clicked=False,
        email_click_count=0,
        media_urls_expire_at=datetime(2024, 1, 22, 11, 35, tzinfo=UTC),
    )
    assert followup.invalid_fields == frozenset()
    assert AUDIO_URL not in repr(followup)

    [token_request] = token_requests(upstream)
    assert token_request.mimetype == "application/x-www-form-urlencoded"
    assert token_request.form.to_dict() == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "followups:read",
    }
    [api_request] = api_requests(upstream)
    assert api_request.environ["RAW_URI"] == f"{API_PATH}/followups/{FOLLOWUP_ID}"
    assert bearer(api_request) == "Bearer token-one"


def test_missing_optional_fields_are_none(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, {"error": False, "message": "Success", "data": {"id": FOLLOWUP_ID}})

    followup = followup_get(followup_id=FOLLOWUP_ID)

    assert followup == Followup(id=FOLLOWUP_ID)


def test_unknown_enum_values_are_kept(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        envelope(
            status="escalated_to_lawyer",
            type="carrier_pigeon",
            direction="sideways",
            disconnection_reason="line_eaten_by_goat",
        ),
    )

    followup = followup_get(followup_id=FOLLOWUP_ID)

    assert (followup.status, followup.type) == ("escalated_to_lawyer", "carrier_pigeon")
    assert (followup.direction, followup.disconnection_reason) == (
        "sideways",
        "line_eaten_by_goat",
    )
    assert followup.invalid_fields == frozenset()


def test_fields_of_the_wrong_type_become_unknown_and_are_logged_by_name_only(
    upstream: HTTPServer, caplog: pytest.LogCaptureFixture
):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        envelope(
            duration_ms="three minutes",
            is_retry="nope",
            call_date="last tuesday",
            email_open_count=-4,
            triggered_payment=1,
            notes=["PERSONAL-DATA-IN-A-LIST"],
            debt_id="../../admin",
            processed_at="2024-01-22T10:35:00",
        ),
    )
    caplog.set_level(logging.WARNING, logger="followups.getbill")

    followup = followup_get(followup_id=FOLLOWUP_ID)

    expected = {
        "duration_ms",
        "is_retry",
        "call_date",
        "email_open_count",
        "triggered_payment",
        "notes",
        "debt_id",
        "processed_at",
    }
    assert followup.invalid_fields == expected
    assert all(getattr(followup, name) is None for name in expected)
    assert followup.status == "deal_found"
    assert followup.summary == FOLLOWUP_DATA["summary"]
    assert all(name in caplog.text for name in expected)
    for value in ("three minutes", "last tuesday", "PERSONAL-DATA-IN-A-LIST", "../../admin"):
        assert value not in caplog.text


# --- The access token ----------------------------------------------------------------------


def test_one_token_serves_many_lookups(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    serve_followup(upstream)

    for _ in range(25):
        followup_get(followup_id=FOLLOWUP_ID)

    assert len(token_requests(upstream)) == 1
    assert {bearer(request) for request in api_requests(upstream)} == {"Bearer token-one"}
    assert len(api_requests(upstream)) == 25


def api_answering(accepted: str, payload: Any = None) -> Callable[[Request], Response]:
    """An API handler that accepts only the bearer token `accepted`, as GetBill would."""

    def handler(request: Request) -> Response:
        if bearer(request) != f"Bearer {accepted}":
            return Response(
                json.dumps({"error": True, "message": "Unauthorized", "code": 401}), status=401
            )
        return Response(json.dumps(payload or envelope()), content_type="application/json")

    return handler


def test_a_401_renews_the_token_once_and_retries(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_handler(
        api_answering("token-two")
    )

    assert followup_get(followup_id=FOLLOWUP_ID).id == FOLLOWUP_ID
    assert len(token_requests(upstream)) == 2
    assert [bearer(r) for r in api_requests(upstream)] == ["Bearer token-one", "Bearer token-two"]

    # The renewed token is the shared one from now on.
    followup_get(followup_id=FOLLOWUP_ID)
    assert len(token_requests(upstream)) == 2
    assert bearer(api_requests(upstream)[-1]) == "Bearer token-two"


def test_a_second_401_means_sign_in_is_failing(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two", "token-three")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_handler(
        api_answering("never")
    )

    with pytest.raises(UpstreamUnavailableError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.status_code == 503
    assert len(token_requests(upstream)) == 2
    assert len(api_requests(upstream)) == 2
    # The refused token is dropped, and sign-in is backed off: the next lookup asks nothing.
    assert cache.get(token_cache_for(config_get()).token_key) is None
    with pytest.raises(UpstreamUnavailableError):
        followup_get(followup_id=FOLLOWUP_ID)
    assert len(token_requests(upstream)) == 2
    assert len(api_requests(upstream)) == 2


def test_a_403_never_renews_the_token(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    serve_followup(
        upstream,
        {"error": True, "message": "Access denied to this followup", "code": 403},
        status=403,
    )

    for _ in range(2):
        with pytest.raises(AccessDeniedError) as raised:
            followup_get(followup_id=FOLLOWUP_ID)
        assert raised.value.user_message == "Access denied to this followup"
        assert raised.value.status_code == 403

    assert len(token_requests(upstream)) == 1
    assert len(api_requests(upstream)) == 2


def cached_token_entry() -> dict[str, Any]:
    entry = cache.get(token_cache_for(config_get()).token_key)
    assert isinstance(entry, dict)
    return entry


def test_token_renewed_ahead_of_expiry(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    serve_followup(upstream)
    followup_get(followup_id=FOLLOWUP_ID)
    entry = cached_token_entry()
    assert entry["expires_at"] - entry["renew_at"] == pytest.approx(tokens.TOKEN_RENEW_MARGIN)

    # Time passes into the renewal margin: the token still works, but is replaced now.
    entry["renew_at"] = time.time() - 1
    cache.set(token_cache_for(config_get()).token_key, entry)
    followup_get(followup_id=FOLLOWUP_ID)
    followup_get(followup_id=FOLLOWUP_ID)

    assert len(token_requests(upstream)) == 2
    assert [bearer(r) for r in api_requests(upstream)] == [
        "Bearer token-one",
        "Bearer token-two",
        "Bearer token-two",
    ]


def test_expired_token_is_never_sent(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    serve_followup(upstream)
    followup_get(followup_id=FOLLOWUP_ID)
    entry = cached_token_entry()
    entry.update(renew_at=time.time() - 10, expires_at=time.time() - 1)
    cache.set(token_cache_for(config_get()).token_key, entry)

    followup_get(followup_id=FOLLOWUP_ID)

    assert bearer(api_requests(upstream)[-1]) == "Bearer token-two"


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (3600, 3600),
        ("1800", 1800),
        (None, tokens.TOKEN_LIFETIME_DEFAULT),
        (0, tokens.TOKEN_LIFETIME_DEFAULT),
        (-50, tokens.TOKEN_LIFETIME_DEFAULT),
        ("soon", tokens.TOKEN_LIFETIME_DEFAULT),
        (True, tokens.TOKEN_LIFETIME_DEFAULT),
        (1e300, tokens.TOKEN_LIFETIME_MAX),
        (10**15, tokens.TOKEN_LIFETIME_MAX),
        (30, 30),
    ],
)
def test_missing_or_absurd_expires_in_is_clamped(upstream: HTTPServer, expires_in, lifetime):
    serve_tokens(upstream, "token-one", expires_in=expires_in)
    serve_followup(upstream)

    before = time.time()
    followup_get(followup_id=FOLLOWUP_ID)

    entry = cached_token_entry()
    assert entry["expires_at"] - before == pytest.approx(lifetime, abs=2)
    # Always renewed before it expires, by the margin or at half-life for short tokens.
    assert entry["expires_at"] - entry["renew_at"] == pytest.approx(
        min(tokens.TOKEN_RENEW_MARGIN, lifetime / 2)
    )


def run_concurrently(count: int, call: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def test_concurrent_lookups_without_a_token_request_it_once(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two", delay=0.3)
    serve_followup(upstream)

    results = run_concurrently(8, lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert all(isinstance(result, Followup) for result in results), results
    assert len(token_requests(upstream)) == 1
    assert {bearer(request) for request in api_requests(upstream)} == {"Bearer token-one"}


def test_concurrent_lookups_at_renewal_time_renew_once_and_do_not_wait(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two", delay=0.3)
    serve_followup(upstream)
    followup_get(followup_id=FOLLOWUP_ID)
    entry = cached_token_entry()
    entry["renew_at"] = time.time() - 1
    cache.set(token_cache_for(config_get()).token_key, entry)

    results = run_concurrently(8, lambda: followup_get(followup_id=FOLLOWUP_ID))

    assert all(isinstance(result, Followup) for result in results), results
    assert len(token_requests(upstream)) == 2
    # All but the renewing lookup went ahead with the still-valid token.
    bearers = [bearer(request) for request in api_requests(upstream)[1:]]
    assert bearers.count("Bearer token-two") == 1
    assert bearers.count("Bearer token-one") == 7


def test_a_renewal_in_another_process_is_waited_for(upstream: HTTPServer):
    """Another worker holds the renewal lock: this one waits for the token it will share."""
    serve_tokens(upstream, "never-requested")
    serve_followup(upstream)
    config = config_get()
    cache.add(f"{config.cache_prefix}:token-lock", "renewing", timeout=30)

    def other_worker_finishes() -> None:
        time.sleep(0.2)
        now = time.time()
        cache.set(
            token_cache_for(config).token_key,
            {"access_token": "from-elsewhere", "renew_at": now + 3000, "expires_at": now + 3600},
        )

    threading.Thread(target=other_worker_finishes).start()
    followup_get(followup_id=FOLLOWUP_ID)

    assert token_requests(upstream) == []
    assert bearer(api_requests(upstream)[0]) == "Bearer from-elsewhere"


def backoff_entry() -> dict[str, Any]:
    entry = cache.get(token_cache_for(config_get()).backoff_key)
    assert isinstance(entry, dict)
    return entry


def test_a_failing_token_endpoint_is_backed_off(upstream: HTTPServer):
    upstream.expect_request(TOKEN_PATH, method="POST").respond_with_data("down", status=500)
    serve_followup(upstream)

    for _ in range(3):
        with pytest.raises(UpstreamUnavailableError) as raised:
            followup_get(followup_id=FOLLOWUP_ID)
        assert "Signing in to GetBill" in raised.value.user_message
    # Asked once; the next lookups failed at once without asking again.
    assert len(token_requests(upstream)) == 1
    assert api_requests(upstream) == []
    first_delay = backoff_entry()["until"] - time.time()
    assert 0 < first_delay <= tokens.TOKEN_BACKOFF_FIRST

    # Once the pause is over, one new attempt; failing again doubles the pause.
    cache.set(token_cache_for(config_get()).backoff_key, {**backoff_entry(), "until": 0})
    with pytest.raises(UpstreamUnavailableError):
        followup_get(followup_id=FOLLOWUP_ID)
    assert len(token_requests(upstream)) == 2
    assert backoff_entry()["until"] - time.time() == pytest.approx(
        2 * tokens.TOKEN_BACKOFF_FIRST, abs=0.5
    )


def test_backoff_ends_after_a_successful_sign_in(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream)
    config = config_get()
    cache.set(token_cache_for(config).backoff_key, {"failures": 3, "until": 0}, timeout=60)

    followup_get(followup_id=FOLLOWUP_ID)

    assert cache.get(token_cache_for(config).backoff_key) is None


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "invalid_client", "error_description": "Client authentication failed"}),
        (400, {"error": "invalid_scope"}),
        (200, {"token_type": "Bearer", "expires_in": 3600}),
        (200, {"access_token": "", "token_type": "Bearer"}),
        (200, {"access_token": "has spaces in it", "token_type": "Bearer"}),
        (200, {"access_token": "abc", "token_type": "MAC"}),
        (200, ["not", "an", "object"]),
        (200, "<html>sign in</html>"),
    ],
)
def test_unusable_token_answers_mean_sign_in_is_failing(upstream: HTTPServer, status, body):
    upstream.expect_request(TOKEN_PATH, method="POST").respond_with_data(
        body if isinstance(body, str) else json.dumps(body), status=status
    )
    serve_followup(upstream)

    with pytest.raises(UpstreamUnavailableError):
        followup_get(followup_id=FOLLOWUP_ID)

    assert api_requests(upstream) == []


# --- IDs -----------------------------------------------------------------------------------

VALID_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
STRIPPED = " \t\r\n\f\v\u00a0\u2007\u202f\u200b\ufeff"


def is_valid_after_strip(raw: str) -> bool:
    return bool(VALID_ID.fullmatch(raw.strip(STRIPPED)))


REJECTED_EXAMPLES = [
    "",
    "   ",
    "..",
    "../debts",
    "abc/def",
    "abc\\def",
    "abc?x=1",
    "abc#top",
    "abc%2F..",
    "%2e%2e",
    "abc def",
    "abc\x00",
    "abc\x1f",
    "\x1fabc",
    "abc\u202e",
    "ABCé",
    "ａｂｃ",  # noqa: RUF001 - full-width look-alikes are the point
    "abc.def",
    "a" * 65,
    "x" * 100_000,
]


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text() | st.from_regex(r"[A-Za-z0-9_-]{65,200}", fullmatch=True))
@example(raw="..")
@example(raw="a/b")
def test_every_rejected_id_makes_no_upstream_request(upstream: HTTPServer, raw: str):
    if is_valid_after_strip(raw):
        return
    serve_tokens(upstream, "token-one")

    with pytest.raises(InvalidIdError) as raised:
        followup_get(followup_id=raw)
    with pytest.raises(InvalidIdError):
        debt_followups_get(debt_id=raw)

    assert raised.value.status_code == 400
    assert upstream.log == []


@pytest.mark.parametrize("raw", REJECTED_EXAMPLES)
def test_rejected_id_classes(upstream: HTTPServer, raw: str):
    serve_tokens(upstream, "token-one")

    with pytest.raises(InvalidIdError):
        followup_get(followup_id=raw)

    assert upstream.log == []


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    followup_id=st.from_regex(VALID_ID, fullmatch=True),
    before=st.sampled_from(["", " ", "\n", "\t ", "\u00a0"]),
    after=st.sampled_from(["", " ", "\r\n", "\u200b"]),
)
def test_valid_ids_reach_exactly_their_path(
    upstream: HTTPServer, followup_id: str, before: str, after: str
):
    upstream.clear_log()
    upstream.clear_all_handlers()
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, envelope(id=followup_id), followup_id=followup_id)

    assert followup_get(followup_id=before + followup_id + after).id == followup_id

    [request] = api_requests(upstream)
    assert request.environ["RAW_URI"] == f"{API_PATH}/followups/{followup_id}"


def test_id_clean_strips_and_keeps_the_id():
    assert getbill_id_clean(raw="  abc_DEF-123\n") == "abc_DEF-123"


# --- Errors from the API -------------------------------------------------------------------


def test_not_found(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, {"error": True, "message": "Not found", "code": 404}, status=404)

    with pytest.raises(NotFoundError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.status_code == 404
    assert raised.value.user_message == "GetBill has no followup with this ID."


def test_a_400_for_a_well_formed_id_is_an_invalid_id(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, {"error": True, "message": "Invalid ID", "code": 400}, status=400)

    with pytest.raises(InvalidIdError):
        followup_get(followup_id=FOLLOWUP_ID)


def test_access_denied_message_is_made_safe(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    hostile = "Access\x00 denied\r\n\u202e to <b>this</b>  followup " + "x" * 1000
    serve_followup(upstream, {"error": True, "message": hostile, "code": 403}, status=403)

    with pytest.raises(AccessDeniedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    message = raised.value.user_message
    assert message.startswith("Access denied to <b>this</b> followup x")
    assert len(message) <= parse.MAX_MESSAGE_LENGTH
    assert not any(ord(char) < 32 or char == "\u202e" for char in message)


def test_access_denied_without_a_message_gets_a_default(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, {"error": True, "code": 403}, status=403)

    with pytest.raises(AccessDeniedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.user_message == AccessDeniedError.default_message


def test_rate_limited_with_the_wait_getbill_gave(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        {
            "error": True,
            "message": "Rate limit exceeded. Please try again later.",
            "code": 429,
            "details": {"retry_after": 1234, "limit": 1000, "reset_time": "2024-01-22T11:00:00Z"},
        },
        status=429,
        headers={"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0"},
    )

    with pytest.raises(RateLimitedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.status_code == 429
    assert raised.value.retry_after_seconds == 1234
    assert "21 minutes" in raised.value.user_message
    assert len(api_requests(upstream)) == 1


def test_rate_limited_falls_back_to_the_reset_header(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        {"error": True, "message": "Rate limit exceeded.", "code": 429},
        status=429,
        headers={"X-RateLimit-Reset": str(int(time.time()) + 90)},
    )

    with pytest.raises(RateLimitedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.retry_after_seconds == pytest.approx(90, abs=2)
    assert rate_limit_status_get() is not None
    assert rate_limit_status_get().remaining == 0  # type: ignore[union-attr]


def test_rate_limited_reads_a_retry_after_header_before_the_reset_header(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        {"error": True, "message": "Rate limit exceeded.", "code": 429},
        status=429,
        headers={"Retry-After": "42", "X-RateLimit-Reset": str(int(time.time()) + 900)},
    )

    with pytest.raises(RateLimitedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.retry_after_seconds == 42


def test_rate_limit_headers_are_kept_as_the_last_known_quota(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    assert rate_limit_status_get() is None
    reset = int(time.time()) + 1800
    serve_followup(
        upstream,
        headers={
            "X-RateLimit-Limit": "1000",
            "X-RateLimit-Remaining": "917",
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Window": "3600",
        },
    )

    followup_get(followup_id=FOLLOWUP_ID)

    assert rate_limit_status_get() == getbill.RateLimitStatus(
        limit=1000,
        remaining=917,
        reset_at=datetime.fromtimestamp(reset, UTC),
        window_seconds=3600,
    )


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (500, '{"error": true, "message": "Internal error", "code": 500}', "application/json"),
        (200, '{"error": false, "data": {"id": "abc123def4', "application/json"),
        (200, "<html><body>Maintenance</body></html>", "text/html"),
        (200, "[" * 50_000 + "]" * 50_000, "application/json"),
        (200, '{"error": true, "message": "Success?", "data": {}}', "application/json"),
        (200, '{"error": false, "data": null}', "application/json"),
        (200, '{"error": false, "data": ["abc123def456"]}', "application/json"),
        (200, '{"data": {"id": "abc123def456"}}', "application/json"),
        (200, '{"error": "false", "data": {"id": "abc123def456"}}', "application/json"),
        (200, '{"error": false, "data": {"id": "someone-else"}}', "application/json"),
        (200, '{"error": false, "data": {"debt_id": "xyz789ghi012"}}', "application/json"),
        (201, '{"error": false, "data": {"id": "abc123def456"}}', "application/json"),
        (204, "", "application/json"),
        (409, '{"error": true, "message": "Conflict", "code": 409}', "application/json"),
    ],
)
def test_anything_but_a_well_formed_success_for_the_id_is_an_upstream_failure(
    upstream: HTTPServer, status, body, content_type
):
    serve_tokens(upstream, "token-one")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_data(
        body, status=status, content_type=content_type
    )

    with pytest.raises(UpstreamFailureError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.status_code == 502
    # Not a transient status: never retried.
    assert len(api_requests(upstream)) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_transient_statuses_are_retried_once(upstream: HTTPServer, status: int):
    serve_tokens(upstream, "token-one")
    upstream.expect_oneshot_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_data(
        "<html>Bad gateway</html>", status=status, content_type="text/html"
    )
    serve_followup(upstream)

    assert followup_get(followup_id=FOLLOWUP_ID).id == FOLLOWUP_ID
    assert len(api_requests(upstream)) == 2


def test_a_transient_status_twice_is_an_upstream_failure(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_data(
        "<html>Bad gateway</html>", status=502, content_type="text/html"
    )

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)

    assert len(api_requests(upstream)) == 2


def test_a_401_and_a_transient_status_still_make_at_most_three_requests(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    api_path = f"{API_PATH}/followups/{FOLLOWUP_ID}"
    upstream.expect_oneshot_request(api_path).respond_with_data("", status=401)
    upstream.expect_request(api_path).respond_with_data("", status=503)

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)

    assert len(api_requests(upstream)) == 3
    assert len(token_requests(upstream)) == 2


def test_redirects_are_not_followed(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    target = upstream.url_for("/elsewhere")
    serve_followup(upstream, {}, status=302, headers={"Location": target})
    upstream.expect_request("/elsewhere").respond_with_json(envelope())

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)

    assert requests_to(upstream, "/elsewhere") == []


def test_an_oversized_body_is_refused(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    padding = "x" * transport.MAX_RESPONSE_BYTES
    serve_followup(upstream, envelope(notes=padding))

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


# --- Network faults and the deadline -------------------------------------------------------


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
        conn.sendall(json_answer(envelope()))

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


def test_no_retry_when_too_little_time_is_left(
    raw_upstream: Callable[..., RawServer], settings: Any
):
    settings.GETBILL_READ_TIMEOUT = DEADLINE

    def script(conn: socket.socket, index: int) -> None:
        time.sleep(DEADLINE - 0.15)
        conn.sendall(json_answer({"error": True, "code": 503}, "503 Service Unavailable"))

    server = raw_upstream(script)

    with pytest.raises(UpstreamFailureError):
        followup_get(followup_id=FOLLOWUP_ID)
    assert server.connections == 1


# --- Configuration at run time -------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("GETBILL_API_URL", "http://getbill.example.com/external-api/v1"),
        ("GETBILL_TOKEN_URL", "ftp://127.0.0.1/token"),
        ("GETBILL_API_URL", "https://getbill.example.com/v1/../admin"),
        ("GETBILL_CLIENT_SECRET", ""),
    ],
)
def test_misconfigured_client_makes_no_request(upstream: HTTPServer, settings: Any, setting, value):
    serve_tokens(upstream, "token-one")
    setattr(settings, setting, value)

    with pytest.raises(UpstreamUnavailableError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert "misconfigured" in raised.value.user_message
    assert upstream.log == []


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


# --- Followups of a debt -------------------------------------------------------------------


def page_payload(items: list[Any], **pagination: Any) -> dict[str, Any]:
    return {
        "error": False,
        "data": items,
        "pagination": {"total": len(items), "page": 1, "limit": 100, "pages": 1, **pagination},
    }


def serve_debt_page(server: HTTPServer, payload: Any, **kwargs: Any) -> None:
    server.expect_request(f"{API_PATH}/followups/debt/{DEBT_ID}").respond_with_json(
        payload, **kwargs
    )


def test_debt_followups_page(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    items = [
        {**FOLLOWUP_DATA, "id": "followup-2", "type": "email", "duration_ms": "n/a"},
        {"id": "followup-1", "debt_id": DEBT_ID},
    ]
    serve_debt_page(upstream, page_payload(items, total=102, page=2, limit=2, pages=51))

    page = debt_followups_get(debt_id=DEBT_ID, page=2, limit=2)

    assert [followup.id for followup in page.followups] == ["followup-2", "followup-1"]
    assert page.followups[0].type == "email"
    assert page.followups[0].invalid_fields == {"duration_ms"}
    assert page.followups[1] == Followup(id="followup-1", debt_id=DEBT_ID)
    assert page.pagination == getbill.Pagination(total=102, page=2, limit=2, pages=51)
    [request] = api_requests(upstream)
    assert request.environ["RAW_URI"] == f"{API_PATH}/followups/debt/{DEBT_ID}?page=2&limit=2"


def test_empty_debt_page(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_debt_page(upstream, page_payload([], pages=0))

    page = debt_followups_get(debt_id=DEBT_ID)

    assert page.followups == ()
    assert page.pagination.total == 0


@pytest.mark.parametrize(
    "payload",
    [
        page_payload([{**FOLLOWUP_DATA, "debt_id": "another-debt"}]),
        page_payload([{**FOLLOWUP_DATA, "debt_id": None}]),
        page_payload([{**FOLLOWUP_DATA, "id": "../x"}]),
        page_payload(["abc123def456"]),
        page_payload([FOLLOWUP_DATA], page=3),
        page_payload([FOLLOWUP_DATA], total="1"),
        page_payload([FOLLOWUP_DATA], limit=0),
        page_payload([FOLLOWUP_DATA, FOLLOWUP_DATA], limit=1),
        page_payload([FOLLOWUP_DATA], pages=True),
        {"error": False, "data": [FOLLOWUP_DATA]},
        {"error": False, "data": FOLLOWUP_DATA, "pagination": {}},
        {"error": True, "data": [], "pagination": {"total": 0, "page": 1, "limit": 1, "pages": 0}},
    ],
)
def test_a_malformed_debt_page_is_an_upstream_failure(upstream: HTTPServer, payload):
    serve_tokens(upstream, "token-one")
    serve_debt_page(upstream, payload)

    with pytest.raises(UpstreamFailureError):
        debt_followups_get(debt_id=DEBT_ID)


def test_unknown_debt(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_debt_page(upstream, {"error": True, "message": "Not found", "code": 404}, status=404)

    with pytest.raises(NotFoundError) as raised:
        debt_followups_get(debt_id=DEBT_ID)
    assert "debt" in raised.value.user_message


@pytest.mark.parametrize(("page", "limit"), [(0, 100), (1, 0), (1, 101), (True, 10), (1, "5")])
def test_page_and_limit_out_of_range_are_a_programming_error(upstream: HTTPServer, page, limit):
    with pytest.raises(ValueError, match="must be an integer"):
        debt_followups_get(debt_id=DEBT_ID, page=page, limit=limit)
    assert upstream.log == []


# --- Secrets -------------------------------------------------------------------------------


def test_no_secret_or_token_in_logs_or_errors(
    upstream: HTTPServer, settings: Any, caplog: pytest.LogCaptureFixture
):
    for name in ("", "httpx", "httpcore", "followups.getbill"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    tokens = ("first-token-a1b2c3", "second-token-d4e5f6")
    serve_tokens(upstream, *tokens)
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_handler(
        api_answering(tokens[1])
    )
    upstream.expect_request(f"{API_PATH}/followups/denied").respond_with_json(
        {"error": True, "message": "Access denied to this followup", "code": 403}, status=403
    )
    errors: list[BaseException] = []

    followup = followup_get(followup_id=FOLLOWUP_ID)  # sign-in, 401, renewal
    with pytest.raises(AccessDeniedError) as denied:
        followup_get(followup_id="denied")
    errors.append(denied.value)
    # Sign-in failures: a token endpoint that refuses, then one that is unreachable.
    cache.clear()
    upstream.clear_all_handlers()
    upstream.expect_request(TOKEN_PATH).respond_with_json({"error": "invalid_client"}, status=401)
    with pytest.raises(UpstreamUnavailableError) as refused:
        followup_get(followup_id=FOLLOWUP_ID)
    errors.append(refused.value)
    cache.clear()
    settings.GETBILL_TOKEN_URL = "http://127.0.0.1:9/token"
    with pytest.raises(UpstreamUnavailableError) as unreachable:
        followup_get(followup_id=FOLLOWUP_ID)
    errors.append(unreachable.value)

    assert "HTTP Request" in caplog.text or "send_request_headers" in caplog.text
    texts = [caplog.text, repr(followup), repr(config_get())]
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            texts += [str(chain), repr(chain), repr(getattr(chain, "request", None))]
            chain = chain.__cause__ or chain.__context__
    for secret in (CLIENT_SECRET, *tokens, "X-Amz-Signature"):
        assert all(secret not in text for text in texts), secret
