"""The shared cache of GetBill's answers (followups/getbill/answers.py), with GetBill faked at the
transport: every request that reaches it is counted, exactly."""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.core.cache import cache
from werkzeug import Request, Response

from followups import getbill
from followups.getbill import (
    MEDIA_LINK_MARGIN_SECONDS,
    AnswerKey,
    AnswerMode,
    AnswerSource,
    NotFoundError,
    QuotaReserveSkippedError,
    RateLimitedError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from tests.support.examples import DEBT_ID, FOLLOWUP_ID, followup_json
from tests.support.fake_getbill import FakeGetBill, error_answer
from tests.support.getbill_servers import (
    API_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN_PATH,
    api_requests,
    serve_tokens,
)
from tests.support.start_up import ROOT, python_run

PATH = f"/followups/{FOLLOWUP_ID}"


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def fake(fake_getbill: FakeGetBill, settings: Any) -> FakeGetBill:
    """GetBill with the example followup, its recording link valid for an hour."""
    settings.GETBILL_CACHE_SECONDS = 600
    settings.GETBILL_STALE_SECONDS = 3600
    fake_getbill.followup_add(media_urls_expire_at=_in(3600))
    return fake_getbill


def _lookup(mode: AnswerMode = AnswerMode.CACHED) -> getbill.Answer[getbill.Followup]:
    return getbill.followup_answer_get(followup_id=FOLLOWUP_ID, mode=mode)


def test_a_second_lookup_is_served_from_the_cache(fake):
    first, second = _lookup(), _lookup()
    assert len(fake.requests) == 1
    assert (first.source, second.source) == (AnswerSource.GETBILL, AnswerSource.CACHE)
    assert second.value == first.value
    assert second.fetched_at == first.fetched_at


def test_the_cache_is_off_at_zero_seconds(fake, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    _lookup()
    _lookup()
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    ("seconds_left", "requests"),
    [
        # The links outlive the margin by a minute: the copy is good.
        (MEDIA_LINK_MARGIN_SECONDS + 60, 1),
        # Inside the margin the player would get a link about to die: GetBill is asked again.
        (MEDIA_LINK_MARGIN_SECONDS - 1, 2),
    ],
)
def test_no_copy_is_served_within_the_media_links_margin(fake, seconds_left, requests):
    fake.followup_add(media_urls_expire_at=_in(seconds_left))
    _lookup()
    _lookup()
    assert len(fake.requests) == requests


def test_the_margin_covers_the_players_renewal():
    # static/js/player.js renews min(60 s, 10 % of the time left) before expiry.
    assert MEDIA_LINK_MARGIN_SECONDS >= 60


def test_links_without_an_expiry_are_assumed_to_live_an_hour(fake):
    fake.followup_add(media_urls_expire_at=None)
    _lookup()
    _lookup()
    assert len(fake.requests) == 1


def test_a_fresh_answer_always_asks_getbill_and_renews_the_copy(fake):
    _lookup()
    fake.followup_add(media_urls_expire_at=_in(3600), summary="Renewed")
    fresh = _lookup(AnswerMode.FRESH)
    assert fresh.source == AnswerSource.GETBILL
    after = _lookup()
    assert len(fake.requests) == 2
    assert after.source == AnswerSource.CACHE
    assert after.value.summary == "Renewed"


def test_refresh_asks_getbill_even_with_a_fresh_copy(fake):
    _lookup()
    assert _lookup(AnswerMode.REFRESH).source == AnswerSource.GETBILL
    assert len(fake.requests) == 2


def test_a_404_is_kept_for_a_minute_and_refresh_asks_again(fake):
    fake.answers["/followups/gone123"] = error_answer(404, "Followup not found")
    for _ in range(2):
        with pytest.raises(NotFoundError):
            getbill.followup_answer_get(followup_id="gone123")
    assert len(fake.requests) == 1
    with pytest.raises(NotFoundError):
        getbill.followup_answer_get(followup_id="gone123", mode=AnswerMode.REFRESH)
    assert len(fake.requests) == 2


def test_errors_are_not_kept(fake):
    fake.answers[PATH] = error_answer(500, "Internal server error")
    with pytest.raises(UpstreamFailureError):
        _lookup()
    del fake.answers[PATH]
    assert _lookup().source == AnswerSource.GETBILL
    assert len(fake.requests) == 2


# --- Stale copies ----------------------------------------------------------------------------


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
def test_a_failure_shows_the_kept_copy(fake, settings, failure, error_class, requests):
    settings.GETBILL_CACHE_SECONDS = 0  # the copy is kept, never fresh
    first = _lookup()
    fake.answers[PATH] = failure
    stale = _lookup()
    assert len(fake.requests) == 1 + requests
    assert stale.source == AnswerSource.STALE
    assert isinstance(stale.failure, error_class)
    assert stale.fetched_at == first.fetched_at
    assert stale.value == first.value
    assert not stale.media_removed


def test_a_copy_older_than_the_stale_limit_is_not_shown(fake, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    settings.GETBILL_STALE_SECONDS = 0
    _lookup()
    fake.answers[PATH] = error_answer(500)
    with pytest.raises(UpstreamFailureError):
        _lookup()


def test_a_stale_copy_loses_its_expired_media_links(fake):
    fake.followup_add(media_urls_expire_at=_in(-60))  # GetBill's links already expired
    _lookup()
    fake.answers[PATH] = error_answer(500)
    stale = _lookup()
    assert stale.source == AnswerSource.STALE
    assert stale.media_removed
    assert stale.value.audio_url is None
    assert stale.value.media_urls_expire_at is None
    assert stale.value.summary == followup_json()["summary"]


def test_a_404_or_403_is_never_covered_by_a_copy(fake, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    _lookup()
    fake.answers[PATH] = error_answer(403, "Access denied to this followup")
    with pytest.raises(getbill.AccessDeniedError):
        _lookup()
    # GetBill said no: the copy is gone, even when GetBill then fails.
    fake.answers[PATH] = error_answer(500)
    with pytest.raises(UpstreamFailureError):
        _lookup()


def test_the_recording_renewal_gets_no_stale_copy(fake, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    _lookup()
    fake.answers[PATH] = error_answer(500)
    with pytest.raises(UpstreamFailureError):
        _lookup(AnswerMode.FRESH)


# --- Single flight -----------------------------------------------------------------------------


def _held_answer(entered: threading.Event, release: threading.Event) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        entered.set()
        assert release.wait(10), "the test never released the request"
        body = {"error": False, "message": "Success", "data": followup_json()}
        return httpx.Response(200, json=body)

    return answer


def _in_thread(results: list[Any], mode: AnswerMode = AnswerMode.CACHED) -> threading.Thread:
    def run() -> None:
        try:
            results.append(_lookup(mode))
        except Exception as error:  # handed to the test's thread
            results.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("mode", [AnswerMode.CACHED, AnswerMode.FRESH])
def test_two_simultaneous_lookups_make_one_request(fake, mode):
    entered, release = threading.Event(), threading.Event()
    fake.answers[PATH] = _held_answer(entered, release)
    results: list[Any] = []
    first = _in_thread(results, mode)
    assert entered.wait(5)
    second = _in_thread(results, mode)
    time.sleep(0.3)  # the second one is waiting now (or, without single flight, asking)
    release.set()
    first.join(10)
    second.join(10)
    assert len(fake.requests) == 1
    assert sorted(answer.source for answer in results) == [
        AnswerSource.CACHE,
        AnswerSource.GETBILL,
    ]


def test_those_waiting_get_the_requests_failure_without_asking_again(fake):
    entered, release = threading.Event(), threading.Event()
    held = _held_answer(entered, release)

    def failing(request: httpx.Request) -> httpx.Response:
        held(request)
        return httpx.Response(500, json={"error": True, "message": "boom", "code": 500})

    fake.answers[PATH] = failing
    results: list[Any] = []
    first = _in_thread(results)
    assert entered.wait(5)
    second = _in_thread(results)
    time.sleep(0.3)
    release.set()
    first.join(10)
    second.join(10)
    assert len(fake.requests) == 1
    assert all(isinstance(result, UpstreamFailureError) for result in results)


def test_a_crashed_holders_lock_expires(fake, settings):
    settings.GETBILL_DEADLINE = 3
    config = getbill.config_get()
    lock = AnswerKey("followup", (FOLLOWUP_ID,)).cache_key(prefix=config.cache_prefix) + ":flight"
    cache.add(lock, "crashed-worker", timeout=1)
    started = time.monotonic()
    answer = _lookup()
    assert answer.source == AnswerSource.GETBILL
    assert len(fake.requests) == 1
    assert time.monotonic() - started >= 0.5  # it waited for the lock to expire


def test_a_waiter_gives_up_at_its_deadline(fake, settings):
    settings.GETBILL_DEADLINE = 1
    config = getbill.config_get()
    lock = AnswerKey("followup", (FOLLOWUP_ID,)).cache_key(prefix=config.cache_prefix) + ":flight"
    cache.add(lock, "busy-worker", timeout=30)
    with pytest.raises(UpstreamTimeoutError):
        _lookup()
    assert fake.requests == []


# --- The quota reserve -----------------------------------------------------------------------


@pytest.fixture
def reserve(fake, settings) -> FakeGetBill:
    """GetBill reports 5 requests left this hour, under the reserve of 100."""
    settings.GETBILL_QUOTA_RESERVE = 100
    reset = int(time.time()) + 1800
    fake.headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "5",
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Window": "3600",
    }
    return fake


def test_under_the_reserve_a_kept_copy_is_served_instead_of_asking(reserve, settings):
    settings.GETBILL_CACHE_SECONDS = 0  # kept, not fresh: normally GetBill would be asked
    _lookup()
    assert getbill.quota_under_reserve()
    served = _lookup()
    refreshed = _lookup(AnswerMode.REFRESH)
    assert len(reserve.requests) == 1
    assert served.quota_reserve
    assert refreshed.quota_reserve
    assert served.source == AnswerSource.STALE


def test_under_the_reserve_new_followups_are_still_looked_up(reserve):
    _lookup()
    reserve.followup_add(id="other123", media_urls_expire_at=_in(3600))
    assert getbill.followup_answer_get(followup_id="other123").source == AnswerSource.GETBILL
    assert len(reserve.requests) == 2


def test_under_the_reserve_what_can_be_skipped_is(reserve):
    _lookup()
    reserve.debts[DEBT_ID] = [followup_json()]
    with pytest.raises(QuotaReserveSkippedError):
        getbill.debt_followups_answer_get(debt_id=DEBT_ID, mode=AnswerMode.OPTIONAL)
    assert len(reserve.requests) == 1


def test_the_reserve_ends_with_the_hour_it_was_counted_in(reserve, settings):
    reserve.headers["X-RateLimit-Reset"] = str(int(time.time()) - 1)
    _lookup()
    assert not getbill.quota_under_reserve()


# --- Keys and other resources ------------------------------------------------------------------


@pytest.mark.parametrize(
    "part",
    ["https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc", "a:b", "", "x" * 65, True],
)
def test_keys_hold_ids_and_numbers_only(part):
    with pytest.raises(ValueError, match="IDs, numbers or enum values only"):
        AnswerKey("followup", (part,))


def test_a_debt_page_keeps_its_followups_under_their_ids(fake):
    fake.debts[DEBT_ID] = [followup_json(media_urls_expire_at=_in(3600))]
    page = getbill.debt_followups_answer_get(debt_id=DEBT_ID)
    again = getbill.debt_followups_answer_get(debt_id=DEBT_ID)
    followup = _lookup()
    assert len(fake.requests) == 1
    assert (page.source, again.source, followup.source) == (
        AnswerSource.GETBILL,
        AnswerSource.CACHE,
        AnswerSource.CACHE,
    )
    assert followup.value == page.value.followups[0]


def test_any_resource_is_cached_by_naming_its_key(fake):
    calls: list[int] = []

    def fetch() -> str:
        calls.append(1)
        return "an answer"

    key = AnswerKey("debt", (DEBT_ID,))
    values = [getbill.answer_get(key=key, fetch=fetch).value for _ in range(2)]
    assert values == ["an answer", "an answer"]
    assert calls == [1]


def test_before_request_runs_only_when_getbill_is_asked(fake):
    asked: list[int] = []
    for _ in range(3):
        getbill.followup_answer_get(followup_id=FOLLOWUP_ID, before_request=lambda: asked.append(1))
    assert asked == [1]
    assert len(fake.requests) == 1


# --- Across processes -----------------------------------------------------------------------------
# Two worker processes sharing one cache (a database cache here, Redis in production) and one
# GetBill: the loopback upstream, answering slowly.

_WORKER = """
import sys, time
import django
django.setup()
from followups import getbill
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
print(getbill.followup_answer_get(followup_id=sys.argv[2]).source)
"""


def _slow_followup(request: Request) -> Response:
    time.sleep(1.5)  # long enough for the other process to arrive meanwhile
    body = {
        "error": False,
        "message": "Success",
        "data": followup_json(media_urls_expire_at=_in(3600)),
    }
    return Response(json.dumps(body), content_type="application/json")


def test_two_processes_looking_up_at_once_make_one_request(upstream, tmp_path):
    serve_tokens(upstream, "process-token")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_handler(
        _slow_followup
    )
    origin = upstream.url_for("").rstrip("/")
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GETBILL_"))},
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "dbcache://answers_cache",
        "GETBILL_CLIENT_ID": CLIENT_ID,
        "GETBILL_CLIENT_SECRET": CLIENT_SECRET,
        "GETBILL_API_URL": origin + API_PATH,
        "GETBILL_TOKEN_URL": origin + TOKEN_PATH,
    }
    created = python_run("manage.py", "createcachetable", env=environ)
    assert created.returncode == 0, created.stderr
    start_at = str(time.time() + 4)  # both set up by then
    workers = [
        subprocess.Popen(  # noqa: S603 - the tests' own command
            [sys.executable, "-c", _WORKER, start_at, FOLLOWUP_ID],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert sorted(out.strip() for out, _ in outputs) == ["cache", "getbill"]
    assert len(api_requests(upstream)) == 1
