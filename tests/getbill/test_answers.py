"""The shared cache of GetBill's answers (followups/getbill/answers.py): `answer_get`, its modes
and the quota reserve, with GetBill faked at the transport: every request that reaches it is
counted, exactly."""

import time

import pytest

from followups import getbill
from followups.getbill import (
    AnswerKey,
    AnswerMode,
    AnswerSource,
    NotFoundError,
    NotKeptError,
    QuotaReserveSkippedError,
    UpstreamFailureError,
)
from tests.support.answer_cache import expires_in, followup_lookup
from tests.support.examples import DEBT_ID, FOLLOWUP_ID, followup_json
from tests.support.fake_getbill import FakeGetBill, error_answer

PATH = f"/followups/{FOLLOWUP_ID}"


def test_a_fresh_answer_always_asks_getbill_and_renews_the_copy(fake_followup):
    followup_lookup()
    fake_followup.followup_add(media_urls_expire_at=expires_in(3600), summary="Renewed")
    fresh = followup_lookup(AnswerMode.FRESH)
    assert fresh.source == AnswerSource.GETBILL
    after = followup_lookup()
    assert len(fake_followup.requests) == 2
    assert after.source == AnswerSource.CACHE
    assert after.value.summary == "Renewed"


def test_refresh_asks_getbill_even_with_a_fresh_copy(fake_followup):
    followup_lookup()
    assert followup_lookup(AnswerMode.REFRESH).source == AnswerSource.GETBILL
    assert len(fake_followup.requests) == 2


def test_the_recording_renewal_gets_no_stale_copy(fake_followup, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    followup_lookup()
    fake_followup.answers[PATH] = error_answer(500)
    with pytest.raises(UpstreamFailureError):
        followup_lookup(AnswerMode.FRESH)


def test_any_resource_is_cached_by_naming_its_key(fake_followup):
    calls: list[int] = []

    def fetch() -> str:
        calls.append(1)
        return "an answer"

    key = AnswerKey("debt", (DEBT_ID,))
    values = [getbill.answer_get(key=key, fetch=fetch).value for _ in range(2)]
    assert values == ["an answer", "an answer"]
    assert calls == [1]


# --- KEPT: a peek at the cache, never GetBill -----------------------------------------------


def test_kept_gives_a_fresh_copy_without_asking(fake_followup):
    followup_lookup()
    peeked = followup_lookup(AnswerMode.KEPT)
    assert peeked.source == AnswerSource.CACHE
    assert peeked.value.id == FOLLOWUP_ID
    assert len(fake_followup.requests) == 1


def test_kept_without_a_copy_is_not_kept_and_asks_nothing(fake_followup):
    with pytest.raises(NotKeptError):
        followup_lookup(AnswerMode.KEPT)
    assert fake_followup.requests == []
    # Nothing was left behind for the next look either: it asks GetBill as usual.
    assert followup_lookup().source == AnswerSource.GETBILL
    assert len(fake_followup.requests) == 1


def test_kept_passes_over_a_stale_copy(fake_followup, settings):
    settings.GETBILL_CACHE_SECONDS = 0  # kept an hour for failures, fresh for no time
    followup_lookup()
    with pytest.raises(NotKeptError):
        followup_lookup(AnswerMode.KEPT)
    assert len(fake_followup.requests) == 1


def test_kept_tells_a_kept_404_as_cached_does(fake_followup):
    fake_followup.followup_missing(FOLLOWUP_ID)
    with pytest.raises(NotFoundError):
        followup_lookup()
    with pytest.raises(NotFoundError) as raised:
        followup_lookup(AnswerMode.KEPT)
    assert not isinstance(raised.value, NotKeptError)
    assert len(fake_followup.requests) == 1


def test_kept_never_runs_the_users_share(fake_followup):
    taken: list[int] = []
    with pytest.raises(NotKeptError):
        getbill.followup_answer_get(
            followup_id=FOLLOWUP_ID, mode=AnswerMode.KEPT, before_request=lambda: taken.append(1)
        )
    assert taken == []


# --- The quota reserve ----------------------------------------------------------------------------


@pytest.fixture
def reserve(fake_followup, settings) -> FakeGetBill:
    """GetBill reports 5 requests left this hour, under the reserve of 100."""
    settings.GETBILL_QUOTA_RESERVE = 100
    reset = int(time.time()) + 1800
    fake_followup.headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "5",
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Window": "3600",
    }
    return fake_followup


def test_under_the_reserve_a_kept_copy_is_served_instead_of_asking(reserve, settings):
    settings.GETBILL_CACHE_SECONDS = 0  # kept, not fresh: normally GetBill would be asked
    followup_lookup()
    assert getbill.quota_under_reserve()
    served = followup_lookup()
    refreshed = followup_lookup(AnswerMode.REFRESH)
    assert len(reserve.requests) == 1
    assert served.quota_reserve
    assert refreshed.quota_reserve
    assert served.source == AnswerSource.STALE


def test_under_the_reserve_new_followups_are_still_looked_up(reserve):
    followup_lookup()
    reserve.followup_add(id="other123", media_urls_expire_at=expires_in(3600))
    assert getbill.followup_answer_get(followup_id="other123").source == AnswerSource.GETBILL
    assert len(reserve.requests) == 2


def test_under_the_reserve_what_can_be_skipped_is(reserve):
    followup_lookup()
    reserve.debts[DEBT_ID] = [followup_json()]
    with pytest.raises(QuotaReserveSkippedError):
        getbill.debt_followups_answer_get(debt_id=DEBT_ID, mode=AnswerMode.OPTIONAL)
    assert len(reserve.requests) == 1


def test_under_the_reserve_kept_still_never_asks(reserve, settings):
    settings.GETBILL_CACHE_SECONDS = 0  # a copy kept, not fresh: the reserve would serve it
    followup_lookup()
    assert getbill.quota_under_reserve()
    with pytest.raises(NotKeptError):
        followup_lookup(AnswerMode.KEPT)
    with pytest.raises(NotKeptError):
        getbill.followup_answer_get(followup_id="other123", mode=AnswerMode.KEPT)
    assert len(reserve.requests) == 1


def test_the_reserve_ends_with_the_hour_it_was_countedexpires_in(reserve, settings):
    reserve.headers["X-RateLimit-Reset"] = str(int(time.time()) - 1)
    followup_lookup()
    assert not getbill.quota_under_reserve()
