"""Asking for transcripts and the job that makes them, with a scripted engine and GetBill (and
its storage) faked at the transport."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from followups.getbill import followup_answer_get, followup_get
from followups.models import AuditAction, AuditEntry
from tests.support import audio
from tests.support.examples import AUDIO_URL, FOLLOWUP_ID
from tests.support.fake_getbill import error_answer
from transcripts import services
from transcripts.engine import EngineResult, ScriptedEngine, Segment, engine_override
from transcripts.models import Transcript

pytestmark = pytest.mark.django_db
MEDIA_URL = AUDIO_URL.split("?")[0]
Status = Transcript.Status


@pytest.fixture
def call(fake_getbill, scripted_engine):
    """The example call, with a mono recording in the storage."""
    fake_getbill.followup_add()
    fake_getbill.media[MEDIA_URL] = (200, audio.mono_call(), "audio/wav")
    return fake_getbill


def _request(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.transcript_request(followup=followup_get(followup_id=FOLLOWUP_ID))


def _jobs(followup_id=FOLLOWUP_ID):
    return list(DBTaskResult.objects.filter(args_kwargs__args=[followup_id]))


def _retries_at():
    """When the retries were queued to run (a job queued to run at once has no such time)."""
    return [job.run_after for job in _jobs() if job.run_after.year < 9999]


def _make(django_capture_on_commit_callbacks, followup_id=FOLLOWUP_ID):
    with django_capture_on_commit_callbacks(execute=True):
        services.transcript_make(followup_id=followup_id)
    return Transcript.objects.get(followup_id=followup_id)


def test_opening_a_call_queues_one_job_whoever_opens_it(call, django_capture_on_commit_callbacks):
    first = _request(django_capture_on_commit_callbacks)
    again = _request(django_capture_on_commit_callbacks)

    assert first is not None
    assert again is not None
    assert first.pk == again.pk
    assert first.status == Status.QUEUED
    jobs = _jobs()
    assert len(jobs) == 1
    assert jobs[0].queue_name == "transcripts"
    # The job's stored arguments are the ID alone, never a signed link.
    assert "Signature" not in str(jobs[0].args_kwargs)


def test_a_call_without_recording_queues_nothing(fake_getbill, django_capture_on_commit_callbacks):
    fake_getbill.followup_add(audio_url=None)

    assert _request(django_capture_on_commit_callbacks) is None
    # In the table of calls, known, with nothing to transcribe.
    assert list(Transcript.objects.values_list("status", "has_recording")) == [
        (Status.KNOWN, False)
    ]
    assert not _jobs()


def test_a_call_only_known_is_queued_once_when_asked(call, django_capture_on_commit_callbacks):
    followup = followup_get(followup_id=FOLLOWUP_ID)
    assert Transcript.objects.get().status == Status.KNOWN
    assert services.transcript_get(followup_id=FOLLOWUP_ID) is None

    with django_capture_on_commit_callbacks(execute=True):
        first = services.transcript_request(followup=followup)
        again = services.transcript_request(followup=followup)

    assert first is not None
    assert again is not None
    assert (first.pk, first.status, again.status) == (
        Transcript.objects.get().pk,
        Status.QUEUED,
        Status.QUEUED,
    )
    assert len(_jobs()) == 1


def test_transcripts_off_queue_nothing(call, settings, django_capture_on_commit_callbacks):
    settings.TRANSCRIBE_ENGINE = "off"

    assert _request(django_capture_on_commit_callbacks) is None
    assert not _jobs()


def test_the_job_transcribes_a_one_channel_call(
    call, scripted_engine, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.DONE
    assert transcript.attempts == 1
    assert transcript.progress == 1
    assert transcript.language == "en"
    assert transcript.channels == 1
    assert transcript.model_name == "scripted"
    assert transcript.duration_seconds == pytest.approx(3.0, abs=0.05)
    assert transcript.segments == [
        {
            "start": 0.5,
            "end": 1.5,
            "speaker": None,
            "text": "Hello, this is North Wind Energy.",
            "words": [
                {"start": 0.5, "end": 0.9, "text": "Hello,"},
                {"start": 1.0, "end": 1.5, "text": "this"},
            ],
        }
    ]
    assert 250 <= len(transcript.peaks) <= 300
    assert all(0 <= peak <= 1 for peak in transcript.peaks)
    assert max(transcript.peaks) == 1
    # The engine heard 16 kHz samples of the whole call.
    assert scripted_engine.calls == [(48000, None)]
    # The storage was asked with the signed link, and nothing of the API's sign-in.
    assert [r.headers.get("Authorization") for r in call.media_requests] == [None]
    assert transcript.finished_at is not None


def test_each_channel_of_a_two_channel_call_is_its_own_speaker(
    call, django_capture_on_commit_callbacks
):
    call.media[MEDIA_URL] = (200, audio.stereo_call(), "audio/wav")
    agent = EngineResult(language="en", segments=(Segment(start=0.2, end=1.0, text="Agent"),))
    debtor = EngineResult(language="en", segments=(Segment(start=0.1, end=0.8, text="Debtor"),))
    _request(django_capture_on_commit_callbacks)

    with engine_override(ScriptedEngine([agent, debtor])):
        transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.channels == 2
    assert [(s["speaker"], s["text"]) for s in transcript.segments] == [(1, "Debtor"), (0, "Agent")]


def test_the_same_audio_on_both_channels_invents_no_speakers(
    call, django_capture_on_commit_callbacks
):
    samples = audio.tone_samples(seconds=2, frequency=440)
    call.media[MEDIA_URL] = (200, audio.wav_bytes(samples, samples), "audio/wav")
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.channels == 1
    assert {s["speaker"] for s in transcript.segments} == {None}


def test_the_job_is_audited_as_the_system_and_keeps_the_calls_facts(
    call, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    entry = AuditEntry.objects.get(action=AuditAction.RECORDING_URL_REFRESH)
    assert entry.username == services.SYSTEM_USERNAME
    assert entry.followup_id == FOLLOWUP_ID
    assert entry.outcome == "shown"
    system = get_user_model().objects.get(username=services.SYSTEM_USERNAME)
    assert not system.is_active
    assert not system.has_usable_password()
    assert (transcript.call_type, transcript.call_status) == ("call", "deal_found")
    assert transcript.call_duration_ms == 180000
    assert transcript.debt_id == "xyz789ghi012"
    assert transcript.called_at.isoformat() == "2024-01-22T10:30:00+00:00"


def test_a_kept_answer_with_a_live_link_costs_no_request(call, django_capture_on_commit_callbacks):
    call.followup_add(media_urls_expire_at=timezone.now() + timedelta(hours=1))
    followup = followup_answer_get(followup_id=FOLLOWUP_ID).value
    with django_capture_on_commit_callbacks(execute=True):
        services.transcript_request(followup=followup)
    asked = len(call.api_requests("/followups/"))

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.DONE
    assert len(call.api_requests("/followups/")) == asked


@pytest.mark.parametrize(
    ("answer", "words", "retryable"),
    [
        ((200, b"<!DOCTYPE html><html>Sign in</html>", "text/html"), "web page", True),
        ((200, b"<?xml version='1.0'?><Error/>", "application/octet-stream"), "web page", True),
        ((200, b"", "audio/mpeg"), "empty file", False),
        ((200, b"ID3 this is no mp3 at all" * 10, "audio/mpeg"), "not an audio file", False),
        (
            (200, audio.truncated(audio.mono_call(seconds=10), keep=0.2), "audio/wav"),
            "cut off",
            False,
        ),
        ((404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml"), "no recording", True),
    ],
    ids=["html", "xml-as-octets", "zero-bytes", "garbage", "truncated", "missing"],
)
def test_bad_recordings_end_the_job_with_a_reason_in_words(
    call, django_capture_on_commit_callbacks, answer, words, retryable, scripted_engine
):
    call.media[MEDIA_URL] = answer
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert words in transcript.failure
    assert transcript.retryable is retryable
    assert "Traceback" not in transcript.failure
    assert scripted_engine.calls == []
    assert len(_jobs()) == 1  # not retried on its own


def test_an_expired_link_is_retried_later_with_a_fresh_link(
    call, django_capture_on_commit_callbacks
):
    expired = (
        b"<?xml version='1.0'?><Error><Code>AccessDenied</Code>"
        b"<Message>Request has expired</Message></Error>"
    )
    call.media[MEDIA_URL] = (403, expired, "application/xml")
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.QUEUED
    assert transcript.attempts == 1
    assert "expired" in transcript.failure
    assert transcript.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert _retries_at() == [transcript.next_attempt_at]
    # Not yet due: a job run early leaves it alone.
    assert _make(django_capture_on_commit_callbacks).attempts == 1

    Transcript.objects.filter(pk=transcript.pk).update(next_attempt_at=timezone.now())
    call.media[MEDIA_URL] = (200, audio.mono_call(), "audio/wav")
    asked = len(call.api_requests("/followups/"))
    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.DONE
    assert transcript.attempts == 2
    # The second attempt asked GetBill for a new link rather than reuse the kept one.
    assert len(call.api_requests("/followups/")) == asked + 1


def test_getbill_failing_is_retried_then_fails_with_try_again(
    call, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)
    call.followups.clear()
    call.answers[f"/followups/{FOLLOWUP_ID}"] = error_answer(500, "Internal error")
    waits = []

    for _attempt in range(3):
        Transcript.objects.update(next_attempt_at=None)
        transcript = _make(django_capture_on_commit_callbacks)
        if transcript.next_attempt_at:
            waits.append((transcript.next_attempt_at - timezone.now()).total_seconds())

    assert transcript.status == Status.FAILED
    assert transcript.attempts == 3
    assert transcript.retryable
    assert transcript.failure.startswith("GetBill could not give the recording's link")
    assert [round(w, -1) for w in waits] == [30, 120]
    failed = AuditEntry.objects.filter(action=AuditAction.RECORDING_URL_REFRESH, outcome="failed")
    assert failed.count() == 3


def test_a_followup_getbill_no_longer_has_fails_for_good(call, django_capture_on_commit_callbacks):
    _request(django_capture_on_commit_callbacks)
    call.followups.clear()
    call.followup_missing(FOLLOWUP_ID)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert not transcript.retryable
    assert "no longer has" in transcript.failure


def test_the_job_waits_while_the_quota_is_under_the_reserve(
    call, django_capture_on_commit_callbacks
):
    reset_at = timezone.now() + timedelta(minutes=20)
    call.headers.update(
        {
            "X-RateLimit-Limit": "1000",
            "X-RateLimit-Remaining": "12",
            "X-RateLimit-Reset": str(int(reset_at.timestamp())),
        }
    )
    # Fetched without the cache of answers: the job finds no kept answer.
    _request(django_capture_on_commit_callbacks)
    asked = len(call.api_requests())

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.QUEUED
    assert transcript.attempts == 0
    assert abs((transcript.next_attempt_at - reset_at).total_seconds()) < 2
    assert len(call.api_requests()) == asked
    assert _retries_at() == [transcript.next_attempt_at]


def test_a_link_off_the_media_hosts_is_not_downloaded(call, django_capture_on_commit_callbacks):
    call.followups.clear()
    call.followup_add(audio_url="https://attacker.example/recording.mp3?X-Amz-Signature=1")
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert "does not download from" in transcript.failure
    assert call.media_requests == []


def test_a_call_past_the_duration_cap_is_not_downloaded(
    call, settings, django_capture_on_commit_callbacks
):
    settings.TRANSCRIBE_MAX_SECONDS = 60
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert "longer than the 1 minutes" in transcript.failure
    assert call.media_requests == []


def test_a_recording_past_the_duration_cap_is_not_transcribed(
    call, settings, django_capture_on_commit_callbacks, scripted_engine
):
    call.followups.clear()
    call.followup_add(duration_ms=None)
    settings.TRANSCRIBE_MAX_SECONDS = 2
    _request(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert "longer than" in transcript.failure
    assert scripted_engine.calls == []


def test_an_engine_crash_fails_the_job_in_words(call, django_capture_on_commit_callbacks):
    _request(django_capture_on_commit_callbacks)

    with engine_override(ScriptedEngine([RuntimeError("CUDA out of memory at 0xdeadbeef")])):
        transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert transcript.retryable
    assert "unexpectedly" in transcript.failure
    assert "0xdeadbeef" not in transcript.failure


def test_a_second_job_for_the_same_call_does_nothing(
    call, scripted_engine, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)
    _make(django_capture_on_commit_callbacks)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.DONE
    assert len(scripted_engine.calls) == 1
    assert len(call.media_requests) == 1


def test_a_job_left_running_by_a_dead_worker_is_queued_again_when_opened(
    call, settings, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(seconds=settings.TRANSCRIBE_JOB_TIMEOUT_SECONDS + 5)
    Transcript.objects.update(status=Status.RUNNING, attempts=1, started_at=long_ago)

    transcript = _request(django_capture_on_commit_callbacks)

    assert transcript.status == Status.QUEUED
    assert "stopped before it finished" in transcript.failure
    assert len(_jobs()) == 2
    Transcript.objects.update(next_attempt_at=None)
    assert _make(django_capture_on_commit_callbacks).status == Status.DONE


def test_a_job_running_within_its_time_is_left_alone(call, django_capture_on_commit_callbacks):
    _request(django_capture_on_commit_callbacks)
    Transcript.objects.update(status=Status.RUNNING, attempts=1, started_at=timezone.now())

    assert _request(django_capture_on_commit_callbacks).status == Status.RUNNING
    assert len(_jobs()) == 1


def test_a_dead_job_out_of_attempts_fails_with_try_again(call, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.TRANSCRIBE_JOB_TIMEOUT_SECONDS + 5)
    Transcript.objects.create(
        followup_id="dead1", status=Status.RUNNING, attempts=3, started_at=long_ago
    )
    Transcript.objects.create(
        followup_id="live1", status=Status.RUNNING, attempts=1, started_at=timezone.now()
    )

    assert services.transcripts_stale_requeue(now=timezone.now()) == 1

    dead = Transcript.objects.get(followup_id="dead1")
    assert dead.status == Status.FAILED
    assert dead.retryable
    assert Transcript.objects.get(followup_id="live1").status == Status.RUNNING


def test_a_late_finish_of_a_job_taken_for_dead_overwrites_nothing(
    call, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)
    transcript = Transcript.objects.get()
    # This job's claim; meanwhile the row was queued again and claimed by another job.
    transcript.started_at = timezone.now() - timedelta(hours=2)
    Transcript.objects.update(status=Status.RUNNING, started_at=timezone.now())

    services._attempt_end(
        transcript=transcript, failure=services.JobFailure("late"), now=timezone.now()
    )

    assert Transcript.objects.get().status == Status.RUNNING


def test_try_again_queues_a_failed_transcript_once(call, django_capture_on_commit_callbacks):
    Transcript.objects.create(
        followup_id=FOLLOWUP_ID, status=Status.FAILED, attempts=3, failure="x", retryable=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = services.transcript_retry(followup_id=FOLLOWUP_ID)
        second = services.transcript_retry(followup_id=FOLLOWUP_ID)

    assert first is not None
    assert second is not None
    assert first.status == second.status == Status.QUEUED
    assert (first.attempts, first.failure) == (0, "")
    assert len(_jobs()) == 1


def test_queue_position_counts_the_calls_ahead():
    now = timezone.now()
    for index, status in enumerate(
        [Status.DONE, Status.RUNNING, Status.QUEUED, Status.QUEUED, Status.FAILED]
    ):
        Transcript.objects.create(followup_id=f"call{index}", status=status)
        Transcript.objects.filter(followup_id=f"call{index}").update(
            updated_at=now + timedelta(seconds=index)
        )
    # Known long before the others, queued after them: last in line.
    Transcript.objects.create(followup_id="call5", status=Status.QUEUED)
    Transcript.objects.filter(followup_id="call5").update(
        created_at=now - timedelta(days=1), updated_at=now + timedelta(seconds=5)
    )

    positions = [
        services.queue_position(transcript=t) for t in Transcript.objects.order_by("followup_id")
    ]

    assert positions == [0, 0, 1, 2, 0, 3]


def test_purge_deletes_transcripts_past_the_retention(settings):
    settings.DASHBOARD_TRANSCRIPT_RETENTION_DAYS = 30
    now = timezone.now()
    Transcript.objects.create(followup_id="old1")
    Transcript.objects.create(followup_id="new1")
    Transcript.objects.filter(followup_id="old1").update(created_at=now - timedelta(days=31))

    assert services.transcripts_purge(now=now) == 1
    assert list(Transcript.objects.values_list("followup_id", flat=True)) == ["new1"]


def test_waiting_jobs_and_the_oldest():
    now = timezone.now()
    Transcript.objects.create(followup_id="a1", status=Status.QUEUED)
    Transcript.objects.create(
        followup_id="b1", status=Status.QUEUED, next_attempt_at=now + timedelta(hours=1)
    )
    Transcript.objects.create(followup_id="c1", status=Status.DONE)
    Transcript.objects.filter(followup_id="a1").update(updated_at=now - timedelta(minutes=7))

    count, oldest = services.transcripts_waiting()

    assert count == 1
    assert oldest == now - timedelta(minutes=7)


def test_a_worker_stopped_mid_job_puts_the_call_back_in_the_queue(
    call, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)

    with (
        engine_override(ScriptedEngine([SystemExit(1)])),
        pytest.raises(SystemExit),
    ):
        _make(django_capture_on_commit_callbacks)

    transcript = Transcript.objects.get()
    assert transcript.status == Status.QUEUED
    assert transcript.attempts == 0
    assert len(_jobs()) == 2


def test_a_long_refusal_from_getbill_fits_the_transcripts_words(
    call, django_capture_on_commit_callbacks
):
    _request(django_capture_on_commit_callbacks)
    call.followups.clear()
    call.answers[f"/followups/{FOLLOWUP_ID}"] = error_answer(403, "Denied because " * 200)

    transcript = _make(django_capture_on_commit_callbacks)

    assert transcript.status == Status.FAILED
    assert transcript.failure.startswith("GetBill could not give the recording's link: Denied")
    assert len(transcript.failure) <= 300
