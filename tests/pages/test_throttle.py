"""The per-user lookup limit that protects the company's shared GetBill quota."""

import pytest
from django.core.cache import cache

from followups import services, throttle
from followups.access import LookupLimitError
from followups.getbill import getbill_id_clean
from tests.support.fake_getbill import FakeGetBill


@pytest.fixture
def upstream_calls(fake_getbill) -> FakeGetBill:
    """GetBill answering every ID with the documented example under that ID."""
    fake_getbill.any_followup()
    return fake_getbill


@pytest.fixture
def frozen_clock(monkeypatch):
    """`time.time()` of the throttle, settable; starts 10 s into a minute."""
    now = [1_700_000_000.0 - 1_700_000_000.0 % 60 + 10]
    monkeypatch.setattr(throttle.time, "time", lambda: now[0])
    return now


def test_quota_allows_the_limit_then_says_how_long_to_wait(manager_user, settings, frozen_clock):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 3
    assert [throttle.lookup_quota_take(user=manager_user) for _ in range(3)] == [None] * 3
    assert throttle.lookup_quota_take(user=manager_user) == 50
    frozen_clock[0] += 49.5
    assert throttle.lookup_quota_take(user=manager_user) == 1
    frozen_clock[0] += 1  # the next minute
    assert throttle.lookup_quota_take(user=manager_user) is None


def test_quota_is_per_user(manager_user, qa_user, settings, frozen_clock):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 1
    assert throttle.lookup_quota_take(user=manager_user) is None
    assert throttle.lookup_quota_take(user=manager_user) is not None
    assert throttle.lookup_quota_take(user=qa_user) is None


def test_quota_survives_its_key_vanishing(manager_user, settings, frozen_clock, monkeypatch):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 1

    def incr_after_eviction(key, delta=1, version=None):
        cache.delete(key)
        raise ValueError(key)

    monkeypatch.setattr(throttle.cache, "incr", incr_after_eviction)
    assert throttle.lookup_quota_take(user=manager_user) is None


def test_past_the_limit_a_429_page_and_no_request_to_getbill(
    manager_client, settings, upstream_calls
):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 2
    assert manager_client.get("/followups/abc123/").status_code == 200
    assert manager_client.get("/followups/abc124/").status_code == 200
    refused = manager_client.get("/followups/abc125/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.content.decode()
    assert "2 lookups a minute" in body
    assert "Try again" in body
    assert upstream_calls.followup_ids_asked() == ["abc123", "abc124"]
    # The search box leads to the same page, still without asking GetBill.
    follow = manager_client.get("/followups/", {"q": "abc126"}, follow=True)
    assert follow.status_code == 429
    assert upstream_calls.followup_ids_asked() == ["abc123", "abc124"]


def test_refused_input_and_refused_permission_do_not_spend_the_quota(
    manager_client, plain_client, settings, upstream_calls
):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 1
    assert manager_client.get("/followups/not%20an%20id/").status_code == 400
    assert plain_client.get("/followups/abc123/").status_code == 403
    assert manager_client.get("/followups/abc123/").status_code == 200
    assert upstream_calls.followup_ids_asked() == ["abc123"]


def test_the_recording_refresh_counts_too(manager_user, settings, upstream_calls):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 1
    services.followup_lookup(user=manager_user, followup_id=getbill_id_clean(raw="abc123"))
    with pytest.raises(LookupLimitError) as raised:
        services.followup_recording_refresh(
            user=manager_user, followup_id=getbill_id_clean(raw="abc123")
        )
    assert raised.value.status_code == 429
    assert raised.value.retry_after_seconds
    assert upstream_calls.followup_ids_asked() == ["abc123"]
