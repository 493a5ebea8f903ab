"""POST /webhooks/getbill/ with real signed requests: what is refused, what is recorded once,
and what each event does to the kept answers and the calls' table. GetBill is faked at the
transport and never asked anything (the fixture fails the test otherwise)."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dashboard.after_response import AfterResponseMiddleware
from followups.getbill import AnswerKey, AnswerMode, NotKeptError, answer_get, followup_answer_get
from tests.support.answer_cache import expires_in
from tests.support.examples import AUDIO_URL, DEBT_ID, FOLLOWUP_ID, followup_json
from tests.support.processes import gunicorn_start, manage, production_environment
from transcripts.engine import ScriptedEngine, engine_override
from transcripts.models import Transcript
from webhooks.models import WebhookDelivery
from webhooks.services import HANDLING_LOST_SECONDS, webhook_delivery_receive

URL = "/webhooks/getbill/"
SECRET = "whsec-test-5f0c1a9e7d3b42c8"
MAX_BYTES = 64 * 1024
SIGNATURE = "X-GetBill-Signature"

Outcome = WebhookDelivery.Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _webhooks_on(settings: Any, fake_getbill: Any) -> None:
    settings.GETBILL_WEBHOOK_SECRET = SECRET
    settings.WEBHOOK_MAX_BYTES = MAX_BYTES
    settings.WEBHOOK_DEDUP_HOURS = 72


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event_type: str, data: object, **extra: Any) -> bytes:
    return json.dumps({"type": event_type, "data": data, **extra}).encode()


def post(client: Any, body: bytes, signature: str | None = "sign") -> Any:
    headers = {}
    if signature == "sign":
        signature = sign(body)
    if signature is not None:
        headers["X-GetBill-Signature"] = signature
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def kept_followup() -> Any:
    return followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.KEPT).value


def _keep(key: AnswerKey) -> None:
    answer_get(key=key, fetch=lambda: "kept")


def _is_kept(key: AnswerKey) -> bool:
    try:
        answer_get(key=key, fetch=lambda: "asked", mode=AnswerMode.KEPT)
    except NotKeptError:
        return False
    return True


DEBT_CARD = AnswerKey("debt", (DEBT_ID,))
DEBT_PAGE = AnswerKey("debt-followups", (DEBT_ID, 1, 100))


# --- The door ---------------------------------------------------------------------------------


def test_without_a_secret_the_endpoint_does_not_exist(client: Any, settings: Any) -> None:
    settings.GETBILL_WEBHOOK_SECRET = ""
    body = event_body("followup.updated", followup_json())
    assert post(client, body, signature=sign(body, "")).status_code == 404
    assert client.get(URL).status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_only_post(client: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    ("signature", "status"),
    [
        (None, 401),
        ("", 401),
        ("0" * 64, 403),
        ("not hex at all", 403),
        ("é" * 64, 403),
    ],
)
def test_a_missing_or_wrong_signature_is_refused(
    client: Any, signature: str | None, status: int, caplog: Any
) -> None:
    body = event_body("followup.updated", followup_json())
    response = post(client, body, signature=signature)
    assert response.status_code == status
    assert not WebhookDelivery.objects.exists()
    assert SECRET not in response.content.decode()
    assert SECRET not in caplog.text


def test_a_truncated_signature_is_refused(client: Any) -> None:
    body = event_body("followup.updated", followup_json())
    assert post(client, body, signature=sign(body)[:-1]).status_code == 403
    assert post(client, body, signature=sign(body)[:32]).status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_a_signature_over_another_body_or_with_another_secret_is_refused(client: Any) -> None:
    body = event_body("followup.updated", followup_json())
    other = event_body("followup.updated", followup_json(status="no_answer"))
    assert post(client, body, signature=sign(other)).status_code == 403
    assert post(client, body, signature=sign(body, "another-secret")).status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_the_signature_is_read_in_either_case_and_around_spaces(client: Any) -> None:
    body = event_body("followup.updated", followup_json(audio_url=None))
    assert post(client, body, signature=f" {sign(body).upper()} ").status_code == 200


def test_a_body_of_10_mb_is_refused_before_it_is_read(client: Any) -> None:
    body = b"{" + b" " * (10 * 2**20) + b"}"
    response = post(client, body)
    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_a_body_just_under_the_cap_is_read(client: Any) -> None:
    body = event_body("company.credits_low", {"padding": "x" * (MAX_BYTES - 100)})
    assert len(body) <= MAX_BYTES
    assert post(client, body).status_code == 200


# --- Whatever a signed body holds: 200, recorded -------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2, 3]",
        b'"a string"',
        b"{" * 5000,
        b'{"data": {}}',
        b'{"type": 12, "data": {}}',
        json.dumps({"type": "x" * 500, "data": {}}).encode(),
    ],
)
def test_an_unreadable_signed_body_is_acknowledged_as_invalid(client: Any, body: bytes) -> None:
    assert post(client, body).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == Outcome.INVALID
    assert len(delivery.event_type) <= 64


@pytest.mark.parametrize(
    "data",
    [None, [], "abc123def456", 42, {}, {"id": 42}, {"id": "../../etc"}, {"id": "a" * 500}],
)
def test_a_followup_event_whose_data_has_the_wrong_shape_is_invalid(
    client: Any, data: object
) -> None:
    assert post(client, event_body("followup.updated", data)).status_code == 200
    assert WebhookDelivery.objects.get().outcome == Outcome.INVALID


def test_an_unknown_type_is_acknowledged_and_logged(client: Any, caplog: Any) -> None:
    caplog.set_level("INFO", logger="webhooks")
    assert post(client, event_body("report.generated", {"id": "r1"})).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event_type, delivery.outcome) == ("report.generated", Outcome.IGNORED)
    assert "report.generated" in caplog.text


def test_the_row_keeps_no_personal_data(client: Any) -> None:
    post(
        client,
        event_body("followup.completed", followup_json(media_urls_expire_at=expires_in(3600))),
    )
    delivery = WebhookDelivery.objects.values().get()
    row = json.dumps(delivery, default=str)
    for personal in ("+33800123456", "Customer was cooperative", "X-Amz-Signature", "payment plan"):
        assert personal not in row
    assert delivery["followup_id"] == FOLLOWUP_ID


# --- Once ----------------------------------------------------------------------------------------


def test_the_same_delivery_twice_is_handled_once(client: Any) -> None:
    body = event_body("followup.updated", {"id": FOLLOWUP_ID, "status": "no_answer"})
    assert post(client, body).status_code == 200
    _keep(AnswerKey("followup", (FOLLOWUP_ID,)))  # kept after the first delivery
    second = post(client, body)
    assert second.status_code == 200
    assert second.content == b"Received before."
    # The second delivery did nothing: the answer kept since is still kept.
    assert _is_kept(AnswerKey("followup", (FOLLOWUP_ID,)))
    delivery = WebhookDelivery.objects.get()
    assert delivery.repeats == 1


def test_after_the_window_the_same_body_is_handled_again(client: Any) -> None:
    body = event_body("debt.updated", {"id": DEBT_ID})
    post(client, body)
    WebhookDelivery.objects.update(received_at=timezone.now() - timedelta(hours=73))
    _keep(DEBT_CARD)
    assert post(client, body).content == b"Received."
    assert not _is_kept(DEBT_CARD)
    assert WebhookDelivery.objects.get().repeats == 0


def test_a_delivery_whose_handling_failed_is_handled_when_it_comes_again(client: Any) -> None:
    body = event_body("debt.updated", {"id": DEBT_ID})
    post(client, body)
    WebhookDelivery.objects.update(outcome=Outcome.FAILED)
    _keep(DEBT_CARD)
    assert post(client, body).content == b"Received."
    assert not _is_kept(DEBT_CARD)
    assert WebhookDelivery.objects.get().outcome == Outcome.DROPPED


@pytest.mark.parametrize(
    ("seconds_ago", "handled"), [(5, False), (HANDLING_LOST_SECONDS + 1, True)]
)
def test_a_delivery_still_being_handled_is_handled_again_only_once_lost(
    client: Any, seconds_ago: int, handled: bool
) -> None:
    # The first try's worker died before it had handled the event: only its row is left.
    body = event_body("debt.updated", {"id": DEBT_ID})
    WebhookDelivery.objects.create(
        body_sha256=hashlib.sha256(body).hexdigest(),
        event_type="debt.updated",
        received_at=timezone.now() - timedelta(seconds=seconds_ago),
    )
    _keep(DEBT_CARD)
    answer = post(client, body).content
    assert answer == (b"Received." if handled else b"Received before.")
    assert _is_kept(DEBT_CARD) is not handled


def test_the_purge_deletes_deliveries_past_the_window(client: Any) -> None:
    post(client, event_body("debt.updated", {"id": DEBT_ID}))
    post(client, event_body("debt.updated", {"id": "other123debt"}))
    WebhookDelivery.objects.filter(debt_id=DEBT_ID).update(
        received_at=timezone.now() - timedelta(hours=73)
    )
    call_command("webhooks_purge")
    assert list(WebhookDelivery.objects.values_list("debt_id", flat=True)) == ["other123debt"]


def test_many_deliveries_are_each_handled_once(client: Any) -> None:
    bodies = [event_body("debt.updated", {"id": f"debt{n:04d}"}) for n in range(200)]
    for body in bodies + bodies[:50]:
        assert post(client, body).status_code == 200
    assert WebhookDelivery.objects.count() == 200
    assert WebhookDelivery.objects.filter(repeats=1).count() == 50


# --- What events do ------------------------------------------------------------------------------


def test_a_whole_followup_becomes_the_kept_answer_without_asking_getbill(
    client: Any, fake_getbill: Any
) -> None:
    data = followup_json(status="no_answer", audio_url=None, media_urls_expire_at=None)
    assert post(client, event_body("followup.updated", data)).status_code == 200
    assert kept_followup().status == "no_answer"
    assert WebhookDelivery.objects.get().outcome == Outcome.KEPT
    assert fake_getbill.api_requests() == []


def test_a_partial_followup_drops_its_kept_answers_and_its_debts_pages(client: Any) -> None:
    post(client, event_body("followup.created", followup_json(audio_url=None)))
    _keep(DEBT_PAGE)
    post(client, event_body("followup.updated", {"id": FOLLOWUP_ID, "debt_id": DEBT_ID}))
    with pytest.raises(NotKeptError):
        kept_followup()
    assert not _is_kept(DEBT_PAGE)
    assert WebhookDelivery.objects.order_by("pk").last().outcome == Outcome.DROPPED  # type: ignore[union-attr]


def test_a_followup_with_a_field_of_the_wrong_type_is_not_kept(client: Any) -> None:
    _keep(AnswerKey("followup", (FOLLOWUP_ID,)))
    post(client, event_body("followup.updated", followup_json(duration_ms="long", audio_url=None)))
    with pytest.raises(NotKeptError):
        kept_followup()


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("debt.updated", {"id": DEBT_ID}),
        ("debt.status_changed", {"id": DEBT_ID, "status_change_context": {"from": "a"}}),
        ("payment.received", {"id": "pay1", "debt_id": DEBT_ID, "amount": 500}),
    ],
)
def test_debt_and_payment_events_drop_the_debts_card_and_pages(
    client: Any, event_type: str, data: dict[str, Any]
) -> None:
    _keep(DEBT_CARD)
    _keep(DEBT_PAGE)
    assert post(client, event_body(event_type, data)).status_code == 200
    assert not _is_kept(DEBT_CARD)
    assert not _is_kept(DEBT_PAGE)
    assert WebhookDelivery.objects.get().debt_id == DEBT_ID


def test_a_completed_call_with_a_recording_queues_its_transcript_by_id(
    client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TRANSCRIBE_ENGINE = "faster-whisper"
    data = followup_json(media_urls_expire_at=expires_in(3600))
    with engine_override(ScriptedEngine([])), django_capture_on_commit_callbacks(execute=True):
        assert post(client, event_body("followup.completed", data)).status_code == 200
    transcript = Transcript.objects.get(followup_id=FOLLOWUP_ID)
    assert transcript.status == Transcript.Status.QUEUED
    # The call's facts are on the dashboard's own table before it is transcribed.
    assert (transcript.call_type, transcript.call_status, transcript.debt_id) == (
        "call",
        "deal_found",
        DEBT_ID,
    )
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [FOLLOWUP_ID], "kwargs": {}}
    assert AUDIO_URL not in json.dumps(task.args_kwargs)
    # The job will find the followup and its link kept: GetBill is not asked.
    assert kept_followup().audio_url == AUDIO_URL


def test_a_new_call_enters_the_table_as_known_then_is_queued_when_completed(
    client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TRANSCRIBE_ENGINE = "faster-whisper"
    started = followup_json(status="in_progress", audio_url=None, media_urls_expire_at=None)
    with engine_override(ScriptedEngine([])), django_capture_on_commit_callbacks(execute=True):
        assert post(client, event_body("followup.created", started)).status_code == 200
    call = Transcript.objects.get(followup_id=FOLLOWUP_ID)
    assert (call.status, call.has_recording, call.call_status) == (
        Transcript.Status.KNOWN,
        False,
        "in_progress",
    )
    assert not DBTaskResult.objects.exists()

    completed = followup_json(media_urls_expire_at=expires_in(3600))
    with engine_override(ScriptedEngine([])), django_capture_on_commit_callbacks(execute=True):
        assert post(client, event_body("followup.completed", completed)).status_code == 200
    call.refresh_from_db()
    assert (call.status, call.has_recording, call.call_status) == (
        Transcript.Status.QUEUED,
        True,
        "deal_found",
    )
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [[FOLLOWUP_ID]]


def test_an_event_told_late_does_not_roll_the_followup_back(
    client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TRANSCRIBE_ENGINE = "faster-whisper"
    completed = followup_json(media_urls_expire_at=expires_in(3600))
    created = followup_json(
        status="in_progress", audio_url=None, media_urls_expire_at=None, processed_at=None
    )
    with engine_override(ScriptedEngine([])), django_capture_on_commit_callbacks(execute=True):
        post(client, event_body("followup.completed", completed))
        assert post(client, event_body("followup.created", created)).status_code == 200

    assert WebhookDelivery.objects.get(event_type="followup.created").outcome == Outcome.OUTDATED
    assert (kept_followup().status, kept_followup().audio_url) == ("deal_found", AUDIO_URL)
    call = Transcript.objects.get(followup_id=FOLLOWUP_ID)
    assert (call.status, call.call_status, call.has_recording) == (
        Transcript.Status.QUEUED,
        "deal_found",
        True,
    )


def test_an_event_processed_later_replaces_the_kept_followup(client: Any) -> None:
    links = expires_in(3600)
    post(
        client,
        event_body(
            "followup.updated", followup_json(status="no_answer", media_urls_expire_at=links)
        ),
    )
    later = followup_json(
        status="deal_found", processed_at="2024-01-22T11:00:00+00:00", media_urls_expire_at=links
    )
    post(client, event_body("followup.updated", later))
    assert kept_followup().status == "deal_found"
    assert Transcript.objects.get().call_status == "deal_found"


def test_an_update_refreshes_the_facts_of_a_known_call(client: Any) -> None:
    Transcript.objects.create(followup_id=FOLLOWUP_ID, call_status="scheduled")
    post(client, event_body("followup.updated", followup_json(status="no_answer", audio_url=None)))
    assert Transcript.objects.get().call_status == "no_answer"


# --- Hypothesis: whatever the body ---------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_events = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "followup.created",
                "followup.updated",
                "followup.completed",
                "followup.failed",
                "debt.updated",
                "debt.status_changed",
                "payment.received",
                "report.generated",
            ]
        )
        | st.text(max_size=30),
        "data": _json
        | st.fixed_dictionaries(
            {"id": st.sampled_from([FOLLOWUP_ID, DEBT_ID]) | st.text()},
            optional={
                "debt_id": _json,
                "status": _json,
                "type": _json,
                "audio_url": _json,
                "call_date": _json,
                "duration_ms": _json,
            },
        ),
    }
)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=_events)
def test_any_signed_event_is_acknowledged(client: Any, event: dict[str, Any]) -> None:
    body = json.dumps(event).encode()
    assert post(client, body).status_code == 200
    assert WebhookDelivery.objects.filter(body_sha256=hashlib.sha256(body).hexdigest()).exists()


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=2000), signature=st.text(max_size=80))
def test_any_body_is_acknowledged_when_signed_and_refused_when_not(
    client: Any, body: bytes, signature: str
) -> None:
    assert post(client, body).status_code == 200
    if signature.strip().lower() != sign(body):
        try:
            refused = post(client, body, signature=signature)
        except ValueError:
            return  # a header the test client itself cannot send
        assert refused.status_code in (401, 403)


# --- Over real HTTP ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_over_http_a_signed_delivery_is_taken_and_a_huge_one_refused(live_server: Any) -> None:
    url = f"{live_server.url}{URL}"
    body = event_body("debt.updated", {"id": DEBT_ID})
    with httpx.Client(timeout=10) as http:
        taken = http.post(url, content=body, headers={"X-GetBill-Signature": sign(body)})
        refused = http.post(url, content=b"x" * (10 * 2**20), headers={"X-GetBill-Signature": "00"})
        unsigned = http.post(url, content=body)
    assert (taken.status_code, refused.status_code, unsigned.status_code) == (200, 413, 401)
    assert WebhookDelivery.objects.get().outcome == Outcome.DROPPED


def test_a_followups_facts_are_written_before_its_delivery_is_acknowledged() -> None:
    def receiver(request: HttpRequest) -> HttpResponse:
        webhook_delivery_receive(
            body=event_body("followup.updated", followup_json(status="no_answer")),
            now=timezone.now(),
        )
        return HttpResponse("Received.")

    # The response is not closed: GetBill has its answer, and the table of calls holds the call.
    AfterResponseMiddleware(receiver)(RequestFactory().post(URL))
    assert Transcript.objects.get(followup_id=FOLLOWUP_ID).call_status == "no_answer"


# Chunked bodies no server can read: a chunk size that is no number, a chunk without its
# terminator, a client that stops mid-chunk.
_MALFORMED_CHUNKS = [b"ZZ\r\nabc\r\n0\r\n\r\n", b"3\r\nabcdef0\r\n\r\n", b"10\r\nabc"]


def _raw_post(origin: str, chunks: bytes) -> bytes:
    """The status of a chunked POST of `chunks`, as written (no client would send them)."""
    host, port = origin.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            f"POST {URL} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
            f"{SIGNATURE}: 00\r\n\r\n".encode()
            + chunks
        )
        connection.shutdown(socket.SHUT_WR)
        return connection.recv(64).split(b" ")[1]


def test_under_gunicorn_a_body_sent_in_chunks_is_read_and_capped(tmp_path: Path) -> None:
    # No Content-Length: Django alone would read the body as empty.
    environment = production_environment(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        cache_url="locmemcache://",
        sandbox_origin="http://127.0.0.1:9",
        GETBILL_WEBHOOK_SECRET=SECRET,
        WEBHOOK_MAX_BYTES=str(MAX_BYTES),
    )
    manage(environment, "migrate", "--noinput", "--verbosity", "0")
    served = gunicorn_start(
        environment=environment, log_path=tmp_path / "gunicorn.log", workers=1, threads=2
    )
    body = event_body("report.generated", {"n": 7})
    huge = event_body("report.generated", {"padding": "x" * MAX_BYTES})
    try:
        with httpx.Client(base_url=served.origin, timeout=10) as http:
            taken = http.post(URL, content=iter([body]), headers={SIGNATURE: sign(body)})
            capped = http.post(URL, content=iter([huge]), headers={SIGNATURE: sign(huge)})
        malformed = [_raw_post(served.origin, chunks) for chunks in _MALFORMED_CHUNKS]
    finally:
        served.stop()
    assert all(status == b"400" for status in malformed), malformed
    assert "Traceback" not in served.log_text()
    assert "Content-Length" not in taken.request.headers
    assert (taken.status_code, taken.text) == (200, "Received.")
    assert capped.status_code == 413


def test_the_address_without_its_slash_takes_the_delivery(client: Any) -> None:
    body = event_body("debt.updated", {"id": DEBT_ID})
    response = client.post(
        URL.rstrip("/"), data=body, content_type="application/json", headers={SIGNATURE: sign(body)}
    )
    assert (response.status_code, response.content) == (200, b"Received.")
