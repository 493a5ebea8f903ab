"""Each user's share of the company's GetBill quota (followups/throttle.py): requests to GetBill
over a sliding hour."""

from typing import Any

import pytest
from django.core.cache import cache

from followups import throttle

HOUR = throttle.WINDOW_SECONDS


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """`time.time()` of the throttle, settable; starts 10 minutes into a clock hour."""
    now = [1_700_000_000.0 - 1_700_000_000.0 % HOUR + 600]
    monkeypatch.setattr(throttle.time, "time", lambda: now[0])
    return now


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
