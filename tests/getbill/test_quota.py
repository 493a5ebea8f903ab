"""GetBill's quota headers and Retry-After (quota.py).

Against real HTTP servers on loopback (tests/getbill/conftest.py); timeouts are small, so every
fault test is bounded by about a second.
"""

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from followups import getbill
from followups.getbill import (
    RateLimitedError,
    followup_get,
    rate_limit_status_get,
)
from tests.support.examples import (
    FOLLOWUP_ID,
)
from tests.support.getbill_servers import (
    api_requests,
    serve_followup,
    serve_tokens,
)


def _serve_rate_limited(upstream: HTTPServer, *, headers: dict[str, str]) -> None:
    """GetBill's 429 without a `details.retry_after`: the wait is in the headers only."""
    serve_tokens(upstream, "token-one")
    body = {"error": True, "message": "Rate limit exceeded.", "code": 429}
    serve_followup(upstream, body, status=429, headers=headers)


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
    _serve_rate_limited(upstream, headers={"X-RateLimit-Reset": str(int(time.time()) + 90)})

    with pytest.raises(RateLimitedError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.retry_after_seconds == pytest.approx(90, abs=2)
    assert rate_limit_status_get() is not None
    assert rate_limit_status_get().remaining == 0  # type: ignore[union-attr]


def test_rate_limited_reads_a_retry_after_header_before_the_reset_header(upstream: HTTPServer):
    _serve_rate_limited(
        upstream, headers={"Retry-After": "42", "X-RateLimit-Reset": str(int(time.time()) + 900)}
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


def _quota_headers(*, remaining: int, reset: int) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Window": "3600",
    }


@pytest.mark.parametrize(
    ("answers", "kept"),
    [
        # Two concurrent requests' answers recorded out of order: the later count stays.
        ([(994, 0), (995, 0)], 994),
        ([(995, 0), (994, 0)], 994),
        # A later window's count replaces the last window's, even with more left.
        ([(3, 0), (999, 3600)], 999),
        ([(999, 3600), (3, 0)], 999),
    ],
)
def test_the_kept_quota_is_the_latest_count_whatever_order_answers_are_recorded_in(
    upstream: HTTPServer, answers: list[tuple[int, int]], kept: int
):
    serve_tokens(upstream, "token-one")
    reset = int(time.time()) + 600
    for remaining, later in answers:
        upstream.clear()
        serve_tokens(upstream, "token-one")
        serve_followup(upstream, headers=_quota_headers(remaining=remaining, reset=reset + later))
        followup_get(followup_id=FOLLOWUP_ID)
    status = rate_limit_status_get()
    assert status is not None
    assert status.remaining == kept


@given(
    first=st.tuples(st.integers(0, 1000), st.integers(0, 3)),
    second=st.tuples(st.integers(0, 1000), st.integers(0, 3)),
)
def test_of_two_counts_exactly_the_later_supersedes_unless_equal(
    first: tuple[int, int], second: tuple[int, int]
):
    def status(count: tuple[int, int]) -> getbill.RateLimitStatus:
        remaining, hour = count
        return getbill.RateLimitStatus(
            limit=1000,
            remaining=remaining,
            reset_at=datetime.fromtimestamp(1_800_000_000 + 3600 * hour, UTC),
            window_seconds=3600,
        )

    a, b = status(first), status(second)
    assert a.supersedes(a)
    if a != b:
        assert a.supersedes(b) != b.supersedes(a)
    # Within one window, fewer left is later; a later window is later whatever is left.
    if first[1] == second[1]:
        assert a.supersedes(b) == (first[0] <= second[0])
    else:
        assert a.supersedes(b) == (first[1] > second[1])
