"""Each user's share of the company's GetBill quota (followups/throttle.py): requests to GetBill
over a sliding hour, and on the pages: it counts requests to GetBill, not page views."""

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from followups import services, throttle
from followups.access import LookupLimitError
from followups.getbill import getbill_id_clean
from tests.support.fake_getbill import FakeGetBill

HOUR = throttle.WINDOW_SECONDS


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """`time.time()` of the throttle, settable; starts 10 minutes into a clock hour."""
    now = [1_700_000_000.0 - 1_700_000_000.0 % HOUR + 600]
    monkeypatch.setattr(throttle.time, "time", lambda: now[0])
    return now


@contextlib.contextmanager
def mock_time(now: float) -> Iterator[None]:
    with mock.patch.object(throttle.time, "time", return_value=now):
        yield


def _take(user: Any) -> int | None:
    return throttle.getbill_request_take(user=user)


def test_the_limit_then_how_long_to_wait(manager_user, settings, clock):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 10
    assert [_take(manager_user) for _ in range(10)] == [None] * 10
    # Full: the rest of this hour, then the time for this hour's count to fade below the limit
    # (a tenth of the next hour for one more).
    assert _take(manager_user) == (HOUR - 600) + HOUR // 10


def test_twice_the_limit_never_passes_across_an_hours_boundary(manager_user, settings, clock):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 10
    clock[0] += HOUR - 600 - 1  # the last second of the hour
    assert [_take(manager_user) for _ in range(10)] == [None] * 10
    clock[0] += 2  # the first second of the next hour: a fixed window would start over
    assert _take(manager_user) is not None
    clock[0] += HOUR // 10  # a tenth of the hour later, one more fits
    assert _take(manager_user) is None
    assert _take(manager_user) is not None


def test_refused_requests_are_not_counted(manager_user, settings, clock):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 2
    assert [_take(manager_user) for _ in range(2)] == [None, None]
    waits = [_take(manager_user) for _ in range(5)]
    assert all(wait is not None for wait in waits)
    clock[0] += waits[0]
    assert _take(manager_user) is None  # the refusals did not push the wait further


def test_the_share_is_per_user(manager_user, qa_user, settings, clock):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    assert _take(manager_user) is None
    assert _take(manager_user) is not None
    assert _take(qa_user) is None


def test_a_counter_evicted_between_add_and_incr_starts_over(
    manager_user, settings, clock, monkeypatch
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1

    def incr_after_eviction(key: str, delta: int = 1, version: int | None = None) -> int:
        cache.delete(key)
        raise ValueError(key)

    monkeypatch.setattr(throttle.cache, "incr", incr_after_eviction)
    assert _take(manager_user) is None


def test_a_counter_another_request_creates_first_counts_both(
    manager_user, settings, clock, monkeypatch
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    incr = cache.incr
    calls: list[str] = []

    def incr_while_another_request_creates_it(
        key: str, delta: int = 1, version: int | None = None
    ) -> int:
        if not calls:
            calls.append(key)
            cache.add(key, 1, timeout=HOUR)  # the other request's first of the hour
            raise ValueError(key)
        return incr(key, delta)

    monkeypatch.setattr(throttle.cache, "incr", incr_while_another_request_creates_it)
    # The other request took the only one this hour: this one waits.
    assert _take(manager_user) is not None


@settings_hypothesis(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(min_value=1, max_value=12),
    gaps=st.lists(st.floats(min_value=0, max_value=900), min_size=1, max_size=80),
)
def test_never_the_limit_in_a_clock_hour_nor_twice_it_in_any_hour(manager_user, limit, gaps):
    cache.clear()
    with override_settings(DASHBOARD_GETBILL_REQUESTS_PER_HOUR=limit):
        now = 1_700_000_000.0
        allowed: list[float] = []
        for gap in gaps:
            now += gap
            with mock_time(now):
                if throttle.getbill_request_take(user=manager_user) is None:
                    allowed.append(now)
    for moment in allowed:
        in_clock_hour = [t for t in allowed if t // HOUR == moment // HOUR]
        assert len(in_clock_hour) <= limit
        in_sliding_hour = [t for t in allowed if moment - HOUR < t <= moment]
        assert len(in_sliding_hour) < 2 * limit


# --- On the pages --------------------------------------------------------------------------------


@pytest.fixture
def upstream_calls(fake_getbill) -> FakeGetBill:
    """GetBill answering every ID with the documented example under that ID."""
    fake_getbill.any_followup()
    return fake_getbill


def test_past_the_limit_a_429_page_and_no_request_to_getbill(
    manager_client, settings, upstream_calls
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 2
    assert manager_client.get("/followups/abc123/").status_code == 200
    assert manager_client.get("/followups/abc124/").status_code == 200
    refused = manager_client.get("/followups/abc125/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 2 * 3600
    body = refused.content.decode()
    assert "2 requests to GetBill an hour" in body
    assert "Try again" in body
    assert upstream_calls.followup_ids_asked() == ["abc123", "abc124"]
    # The search box leads to the same page, still without asking GetBill.
    follow = manager_client.get("/followups/", {"q": "abc126"}, follow=True)
    assert follow.status_code == 429
    assert upstream_calls.followup_ids_asked() == ["abc123", "abc124"]


def test_refused_input_and_refused_permission_do_not_spend_the_quota(
    manager_client, plain_client, settings, upstream_calls
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    assert manager_client.get("/followups/not%20an%20id/").status_code == 400
    assert plain_client.get("/followups/abc123/").status_code == 403
    assert manager_client.get("/followups/abc123/").status_code == 200
    assert upstream_calls.followup_ids_asked() == ["abc123"]


def test_the_recording_refresh_counts_too(manager_user, settings, upstream_calls):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    services.followup_lookup(user=manager_user, followup_id=getbill_id_clean(raw="abc123"))
    with pytest.raises(LookupLimitError) as raised:
        services.followup_recording_refresh(
            user=manager_user, followup_id=getbill_id_clean(raw="abc123")
        )
    assert raised.value.status_code == 429
    assert raised.value.retry_after_seconds
    assert upstream_calls.followup_ids_asked() == ["abc123"]
