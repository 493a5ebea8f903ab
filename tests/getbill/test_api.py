"""GET requests to GetBill (api.py): the status -> error map, the one retry, debt pages, and
secrets kept out of logs and errors.

Against real HTTP servers on loopback (tests/getbill/conftest.py); timeouts are small, so every
fault test is bounded by about a second.
"""

import logging
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from pytest_httpserver import HTTPServer

from followups import getbill
from followups.getbill import (
    AccessDeniedError,
    Followup,
    InvalidIdError,
    NotFoundError,
    UpstreamFailureError,
    UpstreamUnavailableError,
    debt_followups_get,
    followup_get,
    readers,
)
from followups.getbill.config import config_get
from tests.support.examples import (
    DEBT_ID,
    FOLLOWUP_EXAMPLE_JSON,
    FOLLOWUP_ID,
)
from tests.support.getbill_servers import (
    API_PATH,
    CLIENT_SECRET,
    DEADLINE,
    TOKEN_PATH,
    RawServer,
    api_answering,
    api_requests,
    json_answer,
    page_payload,
    serve_debt_page,
    serve_followup,
    serve_tokens,
    token_requests,
)


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
    assert len(message) <= readers.MAX_MESSAGE_LENGTH
    assert not any(ord(char) < 32 or char == "\u202e" for char in message)


def test_access_denied_without_a_message_gets_a_default(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, {"error": True, "code": 403}, status=403)

    with pytest.raises(AccessDeniedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.user_message == AccessDeniedError.default_message


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


def test_debt_followups_page(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    items = [
        {**FOLLOWUP_EXAMPLE_JSON, "id": "followup-2", "type": "email", "duration_ms": "n/a"},
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
