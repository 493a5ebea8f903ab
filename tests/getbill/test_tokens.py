"""The shared OAuth access token and the Bearer auth (tokens.py), against a loopback token endpoint.

Against real HTTP servers on loopback (tests/getbill/conftest.py); timeouts are small, so every
fault test is bounded by about a second.
"""

import json
import threading
import time

import pytest
from django.core.cache import cache
from pytest_httpserver import HTTPServer

from followups.getbill import (
    AccessDeniedError,
    Followup,
    UpstreamUnavailableError,
    followup_get,
    tokens,
)
from followups.getbill.config import config_get
from followups.getbill.tokens import token_cache_for
from tests.support.examples import (
    FOLLOWUP_ID,
)
from tests.support.getbill_servers import (
    API_PATH,
    TOKEN_PATH,
    api_answering,
    api_requests,
    backoff_entry,
    bearer,
    cached_token_entry,
    run_concurrently,
    serve_followup,
    serve_tokens,
    token_requests,
)


def test_one_token_serves_many_lookups(upstream: HTTPServer):
    serve_tokens(upstream, "token-one", "token-two")
    serve_followup(upstream)

    for _ in range(25):
        followup_get(followup_id=FOLLOWUP_ID)

    assert len(token_requests(upstream)) == 1
    assert {bearer(request) for request in api_requests(upstream)} == {"Bearer token-one"}
    assert len(api_requests(upstream)) == 25


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
