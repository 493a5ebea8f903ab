"""The single flight (followups/getbill/single_flight.py): one request to GetBill per key at a
time, across threads and processes, with GetBill faked at the transport (or served on loopback
to two processes): every request that reaches it is counted, exactly."""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from werkzeug import Request, Response

from dashboard.after_response import AfterResponseMiddleware
from followups import getbill
from followups.getbill import (
    AnswerKey,
    AnswerMode,
    AnswerSource,
    UpstreamFailureError,
    UpstreamTimeoutError,
)
from tests.support.answer_cache import expires_in, followup_lookup
from tests.support.cache import cache_read_wait, cache_reads_forget
from tests.support.examples import FOLLOWUP_ID, followup_json
from tests.support.getbill_servers import (
    API_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN_PATH,
    api_requests,
    serve_tokens,
)
from tests.support.start_up import ROOT

PATH = f"/followups/{FOLLOWUP_ID}"


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
            results.append(followup_lookup(mode))
        except Exception as error:  # handed to the test's thread
            results.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def reads_announced(settings: Any) -> Iterator[None]:
    """The cache announces what threads read: a lookup that waits for another's request polls
    the cache for that request's outcome."""
    settings.CACHES = {
        "default": {
            "BACKEND": "tests.support.cache.ReadsAnnouncedCache",
            "LOCATION": "single-flight-tests",
        }
    }
    cache.clear()  # its own store: the suite's emptying was of the cache before it
    cache_reads_forget()
    yield
    cache.clear()


def _second_is_waiting() -> bool:
    # Its reads of the first request's outcome (":outcome:" keys); without single flight it
    # asks GetBill instead and never reads one.
    return cache_read_wait(containing=":outcome:", timeout=3)


@pytest.mark.parametrize("mode", [AnswerMode.CACHED, AnswerMode.FRESH])
def test_two_simultaneous_lookups_make_one_request(reads_announced, fake_followup, mode):
    entered, release = threading.Event(), threading.Event()
    fake_followup.answers[PATH] = _held_answer(entered, release)
    results: list[Any] = []
    first = _in_thread(results, mode)
    assert entered.wait(5)
    second = _in_thread(results, mode)
    assert _second_is_waiting()
    release.set()
    first.join(10)
    second.join(10)
    assert len(fake_followup.requests) == 1
    assert sorted(answer.source for answer in results) == [
        AnswerSource.CACHE,
        AnswerSource.GETBILL,
    ]


def test_those_waiting_get_the_requests_failure_without_asking_again(
    reads_announced, fake_followup
):
    entered, release = threading.Event(), threading.Event()
    held = _held_answer(entered, release)

    def failing(request: httpx.Request) -> httpx.Response:
        held(request)
        return httpx.Response(500, json={"error": True, "message": "boom", "code": 500})

    fake_followup.answers[PATH] = failing
    results: list[Any] = []
    first = _in_thread(results)
    assert entered.wait(5)
    second = _in_thread(results)
    assert _second_is_waiting()
    release.set()
    first.join(10)
    second.join(10)
    assert len(fake_followup.requests) == 1
    assert all(isinstance(result, UpstreamFailureError) for result in results)


def test_a_crashed_holders_lock_expires(fake_followup, settings):
    settings.GETBILL_DEADLINE = 3
    config = getbill.config_get()
    lock = AnswerKey("followup", (FOLLOWUP_ID,)).cache_key(prefix=config.cache_prefix) + ":flight"
    cache.add(lock, "crashed-worker", timeout=1)
    started = time.monotonic()
    answer = followup_lookup()
    assert answer.source == AnswerSource.GETBILL
    assert len(fake_followup.requests) == 1
    assert time.monotonic() - started >= 0.5  # it waited for the lock to expire


def test_a_waiter_gives_up_at_its_deadline(fake_followup, settings):
    settings.GETBILL_DEADLINE = 1
    config = getbill.config_get()
    lock = AnswerKey("followup", (FOLLOWUP_ID,)).cache_key(prefix=config.cache_prefix) + ":flight"
    cache.add(lock, "busy-worker", timeout=30)
    with pytest.raises(UpstreamTimeoutError):
        followup_lookup()
    assert fake_followup.requests == []


def test_before_request_runs_only_when_getbill_is_asked(fake_followup):
    asked: list[int] = []
    for _ in range(3):
        getbill.followup_answer_get(followup_id=FOLLOWUP_ID, before_request=lambda: asked.append(1))
    assert asked == [1]
    assert len(fake_followup.requests) == 1


# --- Across processes -----------------------------------------------------------------------------
# Two worker processes sharing one cache (the embedded default's disk cache here, Redis in
# production) and one GetBill: the loopback upstream, answering slowly.

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
        "data": followup_json(media_urls_expire_at=expires_in(3600)),
    }
    return Response(json.dumps(body), content_type="application/json")


def test_two_processes_looking_up_at_once_make_one_request(upstream, tmp_path):
    serve_tokens(upstream, "process-token")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_handler(
        _slow_followup
    )
    origin = upstream.url_for("").rstrip("/")
    environ = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "GETBILL_", "CACHE_"))
        },
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GETBILL_CLIENT_ID": CLIENT_ID,
        "GETBILL_CLIENT_SECRET": CLIENT_SECRET,
        "GETBILL_API_URL": origin + API_PATH,
        "GETBILL_TOKEN_URL": origin + TOKEN_PATH,
    }
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


def test_in_a_request_the_lock_goes_once_the_page_is_sent_and_meanwhile_its_answer_serves(
    fake_followup,
):
    def page(request: HttpRequest) -> HttpResponse:
        followup_lookup(AnswerMode.FRESH)
        return HttpResponse("page")

    lock_key = AnswerKey("followup", (FOLLOWUP_ID,)).cache_key(
        prefix=getbill.config_get().cache_prefix
    )
    lock_key += ":flight"
    response = AfterResponseMiddleware(page)(RequestFactory().get("/"))
    assert cache.get(lock_key) is not None
    # Before the page is sent: another lookup asking GetBill again is served the answer just
    # read, by the outcome the holder left, without a second request.
    assert followup_lookup(AnswerMode.FRESH).source is AnswerSource.CACHE
    assert len(fake_followup.requests) == 1
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert cache.get(lock_key) is None
    followup_lookup(AnswerMode.FRESH)
    assert len(fake_followup.requests) == 2
