"""The periodic read of the newest calls, against GetBill faked at the transport: one request
per call-like type, calls put in the table as known, new recordings queued by ID, the quota's
reserve respected, audited as the system; and one read per interval, however many ask."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calls.services import WEBHOOKS_SLOWER, calls_newest_read, calls_poll_interval, calls_poll_once
from followups import values
from followups.getbill import MAX_PAGE_SIZE
from followups.models import AuditAction, AuditEntry, AuditOutcome
from transcripts.models import Transcript
from transcripts.services import SYSTEM_USERNAME
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
Status = Transcript.Status


def _jobs() -> list[str]:
    return [job.args_kwargs["args"][0] for job in DBTaskResult.objects.order_by("enqueued_at")]


def _list_requests(fake: Any) -> list[dict[str, str]]:
    return [dict(r.url.params) for r in fake.requests if r.url.path.endswith("/followups")]


@pytest.fixture
def newest(fake_getbill: Any) -> Any:
    """GetBill's newest calls: two with a recording, one without, a voicemail, an SMS."""
    fake_getbill.followup_add(id="call0new", call_date=datetime(2026, 12, 7, 9, tzinfo=UTC))
    fake_getbill.followup_add(id="call0old", call_date=datetime(2026, 12, 6, 9, tzinfo=UTC))
    fake_getbill.followup_add(id="call0none", audio_url=None, status="no_answer")
    fake_getbill.followup_add(id="voice001", type="voicemail", audio_url=None)
    fake_getbill.followup_add(id="sms00001", type="sms", audio_url=None)
    return fake_getbill


def _read(django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return calls_newest_read(now=timezone.now())


def test_a_read_asks_once_per_call_type_and_fills_the_table(
    newest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    read = _read(django_capture_on_commit_callbacks)

    assert _list_requests(newest) == [
        {"page": "1", "limit": str(MAX_PAGE_SIZE), "type": call_type}
        for call_type in values.CALL_TYPES
    ]
    assert len(newest.requests) == len(values.CALL_TYPES)
    rows = Transcript.objects.order_by("followup_id")
    assert list(rows.values_list("followup_id", "status", "has_recording", "call_type")) == [
        ("call0new", Status.QUEUED, True, "call"),
        ("call0none", Status.KNOWN, False, "call"),
        ("call0old", Status.QUEUED, True, "call"),
        ("voice001", Status.KNOWN, False, "voicemail"),
    ]
    # By ID only (never a signed link), newest call first.
    assert _jobs() == ["call0new", "call0old"]
    assert (read.calls_seen, read.transcripts_queued) == (4, 2)
    assert read.types_read == values.CALL_TYPES
    assert read.types_skipped == read.types_failed == ()


def test_a_second_read_queues_nothing_again(
    newest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _read(django_capture_on_commit_callbacks)
    newest.followup_add(id="call0next", call_date=datetime(2026, 12, 7, 10, tzinfo=UTC))

    read = _read(django_capture_on_commit_callbacks)

    assert _jobs() == ["call0new", "call0old", "call0next"]
    assert read.transcripts_queued == 1


def test_it_is_audited_as_the_system(newest: Any, django_capture_on_commit_callbacks: Any) -> None:
    _read(django_capture_on_commit_callbacks)

    entries = AuditEntry.objects.filter(action=AuditAction.FOLLOWUPS_LIST).order_by("pk")
    assert [(e.username, e.outcome) for e in entries] == [
        (SYSTEM_USERNAME, AuditOutcome.SHOWN)
    ] * len(values.CALL_TYPES)
    assert "the newest calls" in entries[0].detail


def test_under_the_quota_reserve_nothing_is_asked(
    newest: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.GETBILL_QUOTA_RESERVE = 100
    reset = int((timezone.now() + timedelta(minutes=30)).timestamp())
    # The first answer says only 99 requests are left in the company's hour.
    newest.headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "99",
        "X-RateLimit-Reset": str(reset),
    }

    first = _read(django_capture_on_commit_callbacks)
    again = _read(django_capture_on_commit_callbacks)

    assert len(_list_requests(newest)) == 1
    assert first.types_read == values.CALL_TYPES[:1]
    assert first.types_skipped == values.CALL_TYPES[1:]
    assert again.types_read == ()
    assert again.types_skipped == values.CALL_TYPES


def test_a_type_getbill_fails_for_is_audited_and_the_others_read(
    newest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def manual_calls_fail(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("type") == "manual_call":
            return httpx.Response(500, json={"error": True, "message": "Internal error"})
        return newest.list_answer(request)

    newest.answers["/followups"] = manual_calls_fail

    read = _read(django_capture_on_commit_callbacks)

    assert read.types_failed == ("manual_call",)
    assert read.types_read == tuple(t for t in values.CALL_TYPES if t != "manual_call")
    failed = AuditEntry.objects.filter(action=AuditAction.FOLLOWUPS_LIST).exclude(
        outcome=AuditOutcome.SHOWN
    )
    assert [entry.username for entry in failed] == [SYSTEM_USERNAME]
    assert _jobs() == ["call0new", "call0old"]


def test_calls_older_than_the_retention_are_recorded_not_transcribed(
    fake_getbill: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DASHBOARD_TRANSCRIPT_RETENTION_DAYS = 30
    fake_getbill.followup_add(id="call0old", call_date=timezone.now() - timedelta(days=31))

    _read(django_capture_on_commit_callbacks)

    assert Transcript.objects.get().status == Status.KNOWN
    assert _jobs() == []


def test_with_transcripts_off_calls_are_recorded_not_queued(
    newest: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TRANSCRIBE_ENGINE = "off"

    read = _read(django_capture_on_commit_callbacks)

    assert read.transcripts_queued == 0
    assert _jobs() == []
    assert Transcript.objects.filter(status=Status.KNOWN, has_recording=True).count() == 2


# --- How often, and only once ----------------------------------------------------------------


def test_one_read_per_interval_whoever_asks(newest: Any, settings: Any) -> None:
    settings.DASHBOARD_CALLS_POLL_MINUTES = 5
    slot_start = datetime(2026, 12, 7, 17, 5, tzinfo=UTC)

    first = calls_poll_once(now=slot_start)
    same_slot = [calls_poll_once(now=slot_start + timedelta(minutes=m)) for m in (0, 1, 4.9)]
    next_slot = calls_poll_once(now=slot_start + timedelta(minutes=5))

    assert first is not None
    assert same_slot == [None, None, None]
    assert next_slot is not None
    assert len(_list_requests(newest)) == 2 * len(values.CALL_TYPES)


def test_it_slows_down_while_getbill_delivers_followups_webhooks(settings: Any) -> None:
    settings.DASHBOARD_CALLS_POLL_MINUTES = 5
    now = timezone.now()
    assert calls_poll_interval(now=now) == timedelta(minutes=5)

    # A debt's event, or an unreadable body, says nothing about calls.
    WebhookDelivery.objects.create(
        body_sha256="a" * 64, event_type="debt.updated", outcome="dropped"
    )
    WebhookDelivery.objects.create(
        body_sha256="b" * 64, event_type="followup.completed", outcome="failed"
    )
    assert calls_poll_interval(now=now) == timedelta(minutes=5)

    WebhookDelivery.objects.create(
        body_sha256="c" * 64, event_type="followup.completed", outcome="kept", received_at=now
    )
    slower = timedelta(minutes=5 * WEBHOOKS_SLOWER)
    assert calls_poll_interval(now=now) == slower
    # Once deliveries stop for that long, the read is the only source again.
    assert calls_poll_interval(now=now + slower) == timedelta(minutes=5)


def test_off_reads_nothing(fake_getbill: Any, settings: Any) -> None:
    settings.DASHBOARD_CALLS_POLL_MINUTES = 0

    assert calls_poll_once(now=timezone.now()) is None
    assert fake_getbill.requests == []
