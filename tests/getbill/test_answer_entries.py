"""A kept answer (followups/getbill/answer_entries.py): freshness, media-link expiry, stale
copies and keys, through the shared cache with GetBill faked at the transport: every request
that reaches it is counted, exactly."""

import sys

import httpx
import pytest

from followups import getbill
from followups.getbill import (
    MEDIA_LINK_MARGIN_SECONDS,
    AnswerKey,
    AnswerMode,
    AnswerSource,
    NotFoundError,
    RateLimitedError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from followups.getbill.answer_entries import entry_read
from tests.support.answer_cache import expires_in, followup_lookup
from tests.support.examples import DEBT_ID, FOLLOWUP_ID, followup_json
from tests.support.fake_getbill import error_answer

PATH = f"/followups/{FOLLOWUP_ID}"


def test_a_second_lookup_is_served_from_the_cache(fake_followup):
    first, second = followup_lookup(), followup_lookup()
    assert len(fake_followup.requests) == 1
    assert (first.source, second.source) == (AnswerSource.GETBILL, AnswerSource.CACHE)
    assert second.value == first.value
    assert second.fetched_at == first.fetched_at


def test_the_cache_is_off_at_zero_seconds(fake_followup, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    followup_lookup()
    followup_lookup()
    assert len(fake_followup.requests) == 2


@pytest.mark.parametrize(
    ("seconds_left", "requests"),
    [
        # The links outlive the margin by a minute: the copy is good.
        (MEDIA_LINK_MARGIN_SECONDS + 60, 1),
        # Inside the margin the player would get a link about to die: GetBill is asked again.
        (MEDIA_LINK_MARGIN_SECONDS - 1, 2),
    ],
)
def test_no_copy_is_served_within_the_media_links_margin(fake_followup, seconds_left, requests):
    fake_followup.followup_add(media_urls_expire_at=expires_in(seconds_left))
    followup_lookup()
    followup_lookup()
    assert len(fake_followup.requests) == requests


def test_the_margin_leaves_a_redirected_link_time_to_be_read():
    # A link handed out by a stable address has two minutes at least.
    assert MEDIA_LINK_MARGIN_SECONDS >= 120


def test_links_without_an_expiry_are_assumed_to_live_an_hour(fake_followup):
    fake_followup.followup_add(media_urls_expire_at=None)
    followup_lookup()
    followup_lookup()
    assert len(fake_followup.requests) == 1


def test_a_404_is_kept_for_a_minute_and_refresh_asks_again(fake_followup):
    fake_followup.answers["/followups/gone123"] = error_answer(404, "Followup not found")
    for _ in range(2):
        with pytest.raises(NotFoundError):
            getbill.followup_answer_get(followup_id="gone123")
    assert len(fake_followup.requests) == 1
    with pytest.raises(NotFoundError):
        getbill.followup_answer_get(followup_id="gone123", mode=AnswerMode.REFRESH)
    assert len(fake_followup.requests) == 2


def test_errors_are_not_kept(fake_followup):
    fake_followup.answers[PATH] = error_answer(500, "Internal server error")
    with pytest.raises(UpstreamFailureError):
        followup_lookup()
    del fake_followup.answers[PATH]
    assert followup_lookup().source == AnswerSource.GETBILL
    assert len(fake_followup.requests) == 2


# --- Stale copies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error_class", "requests"),
    [
        (error_answer(500, "Internal server error"), UpstreamFailureError, 1),
        # 502/503/504 and dropped connections are retried once by the client.
        (error_answer(503, "Service unavailable"), UpstreamFailureError, 2),
        (httpx.ReadTimeout("slow"), UpstreamTimeoutError, 1),
        (
            error_answer(429, "Rate limit exceeded", details={"retry_after": 30}),
            RateLimitedError,
            1,
        ),
        (httpx.ConnectError("refused"), UpstreamUnavailableError, 2),
    ],
    ids=["5xx", "503-retried", "timeout", "429", "unreachable"],
)
def test_a_failure_shows_the_kept_copy(fake_followup, settings, failure, error_class, requests):
    settings.GETBILL_CACHE_SECONDS = 0  # the copy is kept, never fresh
    first = followup_lookup()
    fake_followup.answers[PATH] = failure
    stale = followup_lookup()
    assert len(fake_followup.requests) == 1 + requests
    assert stale.source == AnswerSource.STALE
    assert isinstance(stale.failure, error_class)
    assert stale.fetched_at == first.fetched_at
    assert stale.value == first.value
    assert not stale.media_removed


def test_a_copy_older_than_the_stale_limit_is_not_shown(fake_followup, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    settings.GETBILL_STALE_SECONDS = 0
    followup_lookup()
    fake_followup.answers[PATH] = error_answer(500)
    with pytest.raises(UpstreamFailureError):
        followup_lookup()


def test_a_stale_copy_loses_its_expired_media_links(fake_followup):
    fake_followup.followup_add(
        media_urls_expire_at=expires_in(-60)
    )  # GetBill's links already expired
    followup_lookup()
    fake_followup.answers[PATH] = error_answer(500)
    stale = followup_lookup()
    assert stale.source == AnswerSource.STALE
    assert stale.media_removed
    assert stale.value.audio_url is None
    assert stale.value.media_urls_expire_at is None
    assert stale.value.summary == followup_json()["summary"]


def test_a_404_or_403_is_never_covered_by_a_copy(fake_followup, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    followup_lookup()
    fake_followup.answers[PATH] = error_answer(403, "Access denied to this followup")
    with pytest.raises(getbill.AccessDeniedError):
        followup_lookup()
    # GetBill said no: the copy is gone, even when GetBill then fails.
    fake_followup.answers[PATH] = error_answer(500)
    with pytest.raises(UpstreamFailureError):
        followup_lookup()


# --- Keys and other resources ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "part",
    ["https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc", "a:b", "", "x" * 65, True],
)
def test_keys_hold_ids_and_numbers_only(part):
    with pytest.raises(ValueError, match="IDs, numbers or enum values only"):
        AnswerKey("followup", (part,))


def test_a_debt_page_keeps_its_followups_under_their_ids(fake_followup):
    fake_followup.debts[DEBT_ID] = [followup_json(media_urls_expire_at=expires_in(3600))]
    page = getbill.debt_followups_answer_get(debt_id=DEBT_ID)
    again = getbill.debt_followups_answer_get(debt_id=DEBT_ID)
    followup = followup_lookup()
    assert len(fake_followup.requests) == 1
    assert (page.source, again.source, followup.source) == (
        AnswerSource.GETBILL,
        AnswerSource.CACHE,
        AnswerSource.CACHE,
    )
    assert followup.value == page.value.followups[0]


# --- Across versions ------------------------------------------------------------------------------


class EntryOfAnotherVersion:
    """Stands for a kept copy written by a worker whose classes this one does not have."""


def test_a_kept_copy_that_cannot_be_read_is_a_miss(monkeypatch, caplog):
    from django.core.cache import cache

    cache.set("kept-by-another-version", EntryOfAnotherVersion())
    monkeypatch.delattr(sys.modules[__name__], "EntryOfAnotherVersion")
    assert entry_read("kept-by-another-version") is None
    assert "could not be read" in caplog.text
