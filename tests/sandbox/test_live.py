"""The live sandbox: its calls, its signed webhooks (delivered to the dashboard's real endpoint
through Django's test client), what its API then answers, and that it is off unless asked for
and stops by itself."""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from django.http import QueryDict
from django.test import Client

from sandbox.live import (
    RECORDED_CALLS,
    SIGNATURE_HEADER,
    LiveSandbox,
    live_call_start,
    live_followups,
    live_sandbox_start,
    live_state,
)
from sandbox.presign import media_object_read
from sandbox.services import followup_present, followups_list
from transcripts.engine import ScriptedEngine, engine_override
from transcripts.models import Transcript
from webhooks.models import WebhookDelivery

SECRET = "whsec-live-test-0b7e2d"
ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def live_on(settings: Any) -> None:
    settings.SANDBOX_LIVE = True
    settings.SANDBOX_LIVE_SECONDS = 0.01
    settings.SANDBOX_LIVE_MAX_CALLS = 3
    settings.GETBILL_WEBHOOK_SECRET = SECRET
    settings.TRANSCRIBE_ENGINE = "faster-whisper"


class Deliveries:
    """A transport that keeps what the live sandbox POSTs, and hands it on to `forward`."""

    def __init__(self, forward: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.forward = forward

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.forward is None:
            return httpx.Response(200)
        return self.forward(request)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


def _to_the_dashboard(request: httpx.Request) -> httpx.Response:
    answer = Client().post(
        request.url.path,
        data=request.content,
        content_type=request.headers["Content-Type"],
        headers={SIGNATURE_HEADER: request.headers[SIGNATURE_HEADER]},
    )
    return httpx.Response(answer.status_code, content=answer.content)


def _live(deliveries: Deliveries) -> LiveSandbox:
    return LiveSandbox(
        origin=ORIGIN,
        present=lambda record: followup_present(
            record=record, absolute_uri=lambda path: ORIGIN + path
        ),
        transport=httpx.MockTransport(deliveries.handle),
    )


@pytest.mark.django_db
def test_a_live_call_is_told_to_the_dashboard_signed(live_on: None) -> None:
    deliveries = Deliveries(forward=_to_the_dashboard)
    with engine_override(ScriptedEngine([])):
        completed = _live(deliveries).call_once()
    assert completed is not None
    assert [event["type"] for event in deliveries.events] == [
        "followup.created",
        "followup.completed",
    ]
    for request in deliveries.requests:
        assert str(request.url) == f"{ORIGIN}/webhooks/getbill/"
        expected = hmac.new(SECRET.encode(), request.content, hashlib.sha256).hexdigest()
        assert request.headers[SIGNATURE_HEADER] == expected
    created, done = (event["data"] for event in deliveries.events)
    assert created["id"] == done["id"] == completed["id"]
    assert created["status"] == "in_progress"
    assert created["audio_url"] is None
    assert done["audio_url"].startswith(f"{ORIGIN}/sandbox/media/recordings/")
    assert "X-Amz-Signature=" in done["audio_url"]
    # The dashboard took both (a 200 each), kept the followup and queued its transcript.
    outcomes = WebhookDelivery.objects.values_list("event_type", "outcome", "followup_id")
    assert sorted(outcomes) == [
        ("followup.completed", "kept", completed["id"]),
        ("followup.created", "kept", completed["id"]),
    ]
    assert Transcript.objects.exclude(status="known").get().followup_id == completed["id"]


@pytest.mark.django_db(transaction=True)
def test_over_real_http_the_dashboard_answers_each_event_200(live_on: None, upstream_origin: str):
    # The loopback server serves the whole project: the sandbox's thread POSTs to its webhook.
    live = LiveSandbox(
        origin=upstream_origin,
        present=lambda record: followup_present(
            record=record, absolute_uri=lambda path: upstream_origin + path
        ),
    )
    with engine_override(ScriptedEngine([])):
        completed = live.call_once()
    live.stop()
    assert completed is not None
    outcomes = WebhookDelivery.objects.values_list("event_type", "outcome")
    assert sorted(outcomes) == [("followup.completed", "kept"), ("followup.created", "kept")]


@pytest.mark.django_db
def test_the_sandbox_api_answers_with_the_live_calls(live_on: None) -> None:
    completed = _live(Deliveries()).call_once()
    assert completed is not None
    page = followups_list(query=QueryDict())
    assert page.records[0]["id"] == completed["id"]
    presented = followup_present(record=completed, absolute_uri=lambda path: ORIGIN + path)
    key = presented["audio_url"].split("/sandbox/media/", 1)[1].split("?", 1)[0]
    assert media_object_read(object_key=key).body[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")


def test_the_calls_take_each_recording_in_turn(live_on: None, settings: Any) -> None:
    settings.SANDBOX_LIVE_MAX_CALLS = 100
    debts = [live_call_start(now=datetime.now(UTC))["debt_id"] for _ in RECORDED_CALLS]
    assert debts == [record["debt_id"] for record in RECORDED_CALLS.values()]
    assert len(RECORDED_CALLS) >= 12


def test_the_thread_stops_after_its_calls_and_keeps_no_more(live_on: None) -> None:
    deliveries = Deliveries()
    live = _live(deliveries)
    live.start()
    live.join(seconds=60)
    live.stop()
    assert len(live_followups()) == 3
    assert live_state().made == 3
    assert [event["type"] for event in deliveries.events] == [
        "followup.created",
        "followup.completed",
    ] * 3
    # Bounded: a fourth call pushes the oldest out.
    live_call_start(now=datetime.now(UTC))
    assert len(live_followups()) == 3


def test_a_dashboard_that_does_not_answer_stops_nothing(live_on: None) -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    live = LiveSandbox(origin=ORIGIN, present=dict, transport=httpx.MockTransport(refused))
    assert live.call_once() is not None


def test_off_unless_asked_for(settings: Any) -> None:
    settings.SANDBOX_LIVE = False
    settings.GETBILL_WEBHOOK_SECRET = SECRET
    assert live_sandbox_start(origin=ORIGIN, present=dict) is None
    assert live_followups() == []


def test_off_without_a_webhook_secret(live_on: None, settings: Any) -> None:
    settings.GETBILL_WEBHOOK_SECRET = ""
    assert live_sandbox_start(origin=ORIGIN, present=dict) is None
