"""The GetBill client against the embedded sandbox, over real HTTP on loopback.

The same client code path as production: OAuth token, API calls, rate-limit headers, faults.
"""

from typing import Any

import pytest
from django.core.cache import cache
from time_machine import TimeMachineFixture

from followups import getbill
from followups.getbill import (
    FOLLOWUP_STATUSES,
    FOLLOWUP_TYPES,
    AccessDeniedError,
    NotFoundError,
    RateLimitedError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    debt_followups_get,
    followup_get,
    media_url_allowed,
    rate_limit_status_get,
)
from followups.getbill.config import config_get
from followups.getbill.tokens import token_cache_for
from sandbox.data import EXAMPLES, FAULT_IDS, SANDBOX_FOLLOWUPS

DEBT_EXAMPLES = {"big_debt", "debt_with_history", "debt_no_followups"}


def test_every_sandbox_followup_is_read_without_invalid_fields(sandbox_upstream: str):
    for record in SANDBOX_FOLLOWUPS:
        followup = followup_get(followup_id=record["id"])
        assert followup.id == record["id"]
        assert followup.debt_id == record["debt_id"]
        assert followup.invalid_fields == frozenset(), followup.id
        for url in (followup.audio_url, followup.pdf_url):
            assert url is None or media_url_allowed(url=url), followup.id


def test_named_examples(sandbox_upstream: str):
    call = followup_get(followup_id=EXAMPLES["call_deal_found"])
    assert (call.type, call.status) == ("call", "deal_found")
    assert call.audio_url is not None
    assert media_url_allowed(url=call.audio_url)
    assert call.media_urls_expire_at is not None

    letter = followup_get(followup_id=EXAMPLES["postmail_pdf"])
    assert letter.pdf_url is not None
    assert media_url_allowed(url=letter.pdf_url)

    unknown = followup_get(followup_id=EXAMPLES["unknown_enums"])
    assert unknown.status not in FOLLOWUP_STATUSES or unknown.type not in FOLLOWUP_TYPES

    missing = followup_get(followup_id=EXAMPLES["missing_optional"])
    assert missing.summary is None
    assert missing.invalid_fields == frozenset()


def test_one_token_for_many_lookups(sandbox_upstream: str):
    followup_get(followup_id=EXAMPLES["call_deal_found"])
    key = token_cache_for(config_get()).token_key
    first = cache.get(key)["access_token"]

    for name in ("email_many_opens", "postmail_pdf", "hostile_notes", "retry"):
        followup_get(followup_id=EXAMPLES[name])

    assert cache.get(key)["access_token"] == first


def test_short_lived_sandbox_tokens_are_renewed_before_they_expire(
    sandbox_upstream: str, settings: Any, clock: TimeMachineFixture
):
    settings.SANDBOX_TOKEN_TTL_SECONDS = 2
    followup_get(followup_id=EXAMPLES["call_deal_found"])
    key = token_cache_for(config_get()).token_key
    first = cache.get(key)
    assert first["expires_at"] - first["renew_at"] == pytest.approx(1)

    clock.shift(1.1)  # into the renewal margin, before expiry
    followup_get(followup_id=EXAMPLES["call_deal_found"])

    assert cache.get(key)["access_token"] != first["access_token"]


def test_a_token_the_sandbox_no_longer_accepts_is_renewed(sandbox_upstream: str):
    followup_get(followup_id=EXAMPLES["call_deal_found"])
    key = token_cache_for(config_get()).token_key
    entry = cache.get(key)
    cache.set(key, {**entry, "access_token": entry["access_token"][:-4] + "AAAA"})

    assert followup_get(followup_id=EXAMPLES["call_deal_found"]).id == EXAMPLES["call_deal_found"]
    assert cache.get(key)["access_token"] != entry["access_token"][:-4] + "AAAA"


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        ("forbidden", AccessDeniedError),
        ("not_found", NotFoundError),
        ("rate_limited", RateLimitedError),
        ("server_error", UpstreamFailureError),
        ("bad_gateway_html", UpstreamFailureError),
        ("malformed_json", UpstreamFailureError),
        ("wrong_id", UpstreamFailureError),
    ],
)
def test_fault_ids_map_to_their_errors(
    sandbox_upstream: str, fault: str, error_class: type[getbill.GetBillError]
):
    with pytest.raises(error_class) as raised:
        followup_get(followup_id=FAULT_IDS[fault])
    if fault == "forbidden":
        assert raised.value.user_message == "Access denied to this followup"
    if fault == "rate_limited":
        assert isinstance(raised.value, RateLimitedError)
        assert raised.value.retry_after_seconds is not None


def test_wrong_types_fault_still_gives_a_followup(sandbox_upstream: str):
    followup = followup_get(followup_id=FAULT_IDS["wrong_types"])

    assert followup.invalid_fields
    assert all(getattr(followup, name) is None for name in followup.invalid_fields)


def test_slow_fault_is_cut_off_by_the_deadline(sandbox_upstream: str, settings: Any):
    # The sandbox answers a valid followup after the stall; each read would wait longer than
    # that, so only the lookup's deadline can end it with a timeout.
    settings.SANDBOX_SLOW_SECONDS = 4
    settings.GETBILL_READ_TIMEOUT = 10.0
    settings.GETBILL_DEADLINE = 1.5

    with pytest.raises(UpstreamTimeoutError):
        followup_get(followup_id=FAULT_IDS["slow"])


def test_quota_is_tracked_and_exhaustion_is_rate_limited(sandbox_upstream: str, settings: Any):
    settings.SANDBOX_RATE_LIMIT = 3
    settings.SANDBOX_RATE_WINDOW_SECONDS = 60
    for expected_remaining in (2, 1, 0):
        followup_get(followup_id=EXAMPLES["call_deal_found"])
        status = rate_limit_status_get()
        assert status is not None
        assert (status.limit, status.remaining) == (3, expected_remaining)
        assert status.reset_at is not None
        assert status.window_seconds is not None

    with pytest.raises(RateLimitedError) as raised:
        followup_get(followup_id=EXAMPLES["call_deal_found"])

    assert raised.value.retry_after_seconds is not None
    assert 0 < raised.value.retry_after_seconds <= 60


def test_debt_followups_page_through_a_big_debt(sandbox_upstream: str):
    debt_id = EXAMPLES["big_debt"]
    first = debt_followups_get(debt_id=debt_id, page=1, limit=100)
    assert first.pagination.total > 100
    assert first.pagination.pages == 2
    second = debt_followups_get(debt_id=debt_id, page=2, limit=100)

    followups = first.followups + second.followups
    assert len(followups) == first.pagination.total
    assert len({followup.id for followup in followups}) == len(followups)
    assert {followup.debt_id for followup in followups} == {debt_id}


def test_debt_without_followups(sandbox_upstream: str):
    page = debt_followups_get(debt_id=EXAMPLES["debt_no_followups"])

    assert page.followups == ()
    assert page.pagination.total == 0


def test_debt_faults(sandbox_upstream: str):
    with pytest.raises(NotFoundError):
        debt_followups_get(debt_id=FAULT_IDS["not_found"])
    with pytest.raises(UpstreamFailureError):
        debt_followups_get(debt_id=FAULT_IDS["wrong_id"])
