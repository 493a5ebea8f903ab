"""Transcripts: asking for one, the job that makes it, retries, and what the page asks.

The transcript's row is the job's state. Its unique followup ID makes "at most one job per
followup" hold in every worker: whoever opens a call first creates the row and queues the job
once the row is committed; everyone else finds the row. A job claims the row by switching it
from queued to running (one UPDATE, so two jobs for one row never both run it), and every
later write checks that it still holds that claim (a job taken for dead and queued again must
not be overwritten by the first one finishing late).

Jobs act for no user: their requests to GetBill count in the company's quota only, wait while
it is under GETBILL_QUOTA_RESERVE, and are audited as the system.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from followups.audit import audit_record
from followups.getbill import (
    Answer,
    AnswerMode,
    Followup,
    GetBillError,
    MediaDownloadError,
    NotFoundError,
    NotKeptError,
    RateLimitedError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    followup_answer_get,
    quota_under_reserve,
    rate_limit_status_get,
    recording_download,
)
from followups.models import AuditAction, AuditOutcome
from transcripts.engine import EngineUnavailableError, engine_get, transcripts_off_reason
from transcripts.facts import FACT_FIELDS, facts_from_followup
from transcripts.models import Transcript
from transcripts.signals import transcript_done

logger = logging.getLogger(__name__)

# Who the audit trail names for what jobs do: an account no one signs in with.
SYSTEM_USERNAME = "(system)"
# How often a running job writes its progress.
_PROGRESS_SECONDS = 3.0
# How long a job waits, when GetBill's quota is under the reserve and its reset is unknown.
_QUOTA_WAIT_SECONDS = 300
_AUDIT_DETAIL = "for a transcript"
# How long before a page was opened a call may have been made and still be new to it (learnt
# of since): the periodic read, or a list kept in the cache, may bring it that late.
NEW_CALL_MAX_AGE = timedelta(hours=1)

Status = Transcript.Status


class JobFailure(Exception):
    """A job's attempt failed; `message` is for a reviewer. `transient`: retried on its own
    (attempts left); `retryable`: "Try again" makes sense once attempts are used up."""

    def __init__(self, message: str, *, transient: bool = False, retryable: bool = False):
        super().__init__(message)
        self.message = message[: Transcript._meta.get_field("failure").max_length]
        self.transient = transient
        self.retryable = retryable


class QuotaWait(Exception):
    """GetBill's quota is under the reserve: the job waits until `until`, no attempt spent."""

    def __init__(self, until: datetime) -> None:
        self.until = until


# --- What pages ask ------------------------------------------------------------------------------


def transcript_get(*, followup_id: str) -> Transcript | None:
    """The followup's transcript (queued, running, done or failed); None for a call that is
    only known (never asked to be transcribed) or not in the table."""
    return Transcript.objects.filter(followup_id=followup_id).exclude(status=Status.KNOWN).first()


def transcript_request(*, followup: Followup) -> Transcript | None:
    """The followup's transcript, queued now if it has a recording and no transcript yet (at
    most one job per followup, whoever asks first: a page, a webhook, the periodic read). None
    when transcripts are off or there is no recording to transcribe."""
    if transcripts_off_reason() is not None:
        return transcript_get(followup_id=followup.id)
    transcript = transcript_get(followup_id=followup.id)
    if transcript is not None:
        return transcript_stale_requeue(transcript=transcript, now=timezone.now())
    if not followup.audio_url:
        return None
    try:
        with transaction.atomic():
            transcript, created = Transcript.objects.get_or_create(
                followup_id=followup.id,
                defaults={
                    "status": Status.QUEUED,
                    **facts_from_followup(followup),
                    "facts_updated_at": timezone.now(),
                },
            )
            if created:
                _enqueue_on_commit(followup_id=followup.id)
                return transcript
            # Only known so far (a list, a webhook): the one who switches it queues the job.
            if (
                Transcript.objects.filter(pk=transcript.pk, status=Status.KNOWN).update(
                    status=Status.QUEUED, has_recording=True, updated_at=timezone.now()
                )
                == 1
            ):
                _enqueue_on_commit(followup_id=followup.id)
    except IntegrityError:
        # Someone asked for the same call at the same moment: theirs is the job.
        pass
    return transcript_get(followup_id=followup.id)


def transcript_retry(*, followup_id: str) -> Transcript | None:
    """Queue a failed transcript again ("Try again"), with its attempts renewed; a transcript
    that is not failed (already queued again by someone else's click) is left as it is."""
    with transaction.atomic():
        retried = Transcript.objects.filter(followup_id=followup_id, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=0,
            next_attempt_at=None,
            failure="",
            retryable=False,
            progress=0,
            started_at=None,
            finished_at=None,
            updated_at=timezone.now(),
        )
        if retried:
            _enqueue_on_commit(followup_id=followup_id)
    return transcript_get(followup_id=followup_id)


def queue_position(*, transcript: Transcript) -> int:
    """How many calls are ahead of `transcript` (queued before it, or being transcribed).

    A queued row was last written when it was queued: a call known long before it was queued
    does not jump the queue."""
    if transcript.status not in (Status.QUEUED, Status.RUNNING):
        return 0
    return (
        Transcript.objects.filter(status__in=(Status.QUEUED, Status.RUNNING))
        .filter(Q(updated_at__lt=transcript.updated_at) | Q(status=Status.RUNNING))
        .exclude(pk=transcript.pk)
        .count()
    )


def calls_known_since(*, since: datetime, limit: int) -> list[Transcript]:
    """The calls the dashboard's own table learnt of after `since` (a webhook, the periodic
    read, a page that fetched them), transcribed or not, newest first: their facts only,
    read without asking GetBill. Old calls learnt of only now (a debt's page listing last
    month's calls, the first periodic read) are not new: a call made more than
    NEW_CALL_MAX_AGE before `since` is left out."""
    return list(
        Transcript.objects.filter(created_at__gt=since)
        .filter(Q(called_at__isnull=True) | Q(called_at__gte=since - NEW_CALL_MAX_AGE))
        .order_by("-created_at")
        .only("followup_id", "created_at", *FACT_FIELDS)[:limit]
    )


def transcripts_purge(*, now: datetime) -> int:
    """Delete the table's rows (transcripts, and calls only known) made more than
    DASHBOARD_TRANSCRIPT_RETENTION_DAYS before `now`; how many. Reopening such a call
    transcribes it again."""
    before = now - timedelta(days=settings.DASHBOARD_TRANSCRIPT_RETENTION_DAYS)
    deleted, _ = Transcript.objects.filter(created_at__lt=before).delete()
    return deleted


def transcripts_waiting() -> tuple[int, datetime | None]:
    """How many transcripts wait for a worker (queued, due now), and since when the oldest."""
    now = timezone.now()
    waiting = Transcript.objects.filter(status=Status.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    oldest = waiting.order_by("updated_at").values_list("updated_at", flat=True).first()
    return waiting.count(), oldest


# --- Abandoned jobs ------------------------------------------------------------------------------


def transcript_stale_requeue(*, transcript: Transcript, now: datetime) -> Transcript:
    """A transcript left running past TRANSCRIBE_JOB_TIMEOUT_SECONDS (its worker died) is
    queued again, or failed once its attempts are used up; others are returned as they are."""
    timeout = timedelta(seconds=settings.TRANSCRIBE_JOB_TIMEOUT_SECONDS)
    if transcript.status != Status.RUNNING or transcript.started_at is None:
        return transcript
    if transcript.started_at > now - timeout:
        return transcript
    _attempt_end(
        transcript=transcript,
        failure=JobFailure(
            "The transcription stopped before it finished (its worker stopped).",
            transient=True,
            retryable=True,
        ),
        now=now,
    )
    transcript.refresh_from_db()
    return transcript


def transcripts_stale_requeue(*, now: datetime) -> int:
    """`transcript_stale_requeue` for every transcript left running (a worker's start); how
    many were."""
    timeout = timedelta(seconds=settings.TRANSCRIBE_JOB_TIMEOUT_SECONDS)
    stale = list(Transcript.objects.filter(status=Status.RUNNING, started_at__lt=now - timeout))
    for transcript in stale:
        transcript_stale_requeue(transcript=transcript, now=now)
    return len(stale)


# --- The job -------------------------------------------------------------------------------------


def transcript_make(*, followup_id: str) -> None:
    """The job: claim the transcript, get a fresh link through the client, download the
    recording into a temporary file (deleted after), decode, transcribe, save. Every failure
    ends the attempt with a status in words; passing ones are retried with a growing wait."""
    transcript = _claim(followup_id=followup_id)
    if transcript is None:
        return
    now = timezone.now()
    try:
        followup = _followup_fetch(transcript=transcript)
        result = _recording_transcribe(transcript=transcript, followup=followup)
    except QuotaWait as wait:
        _quota_wait(transcript=transcript, until=wait.until)
    except JobFailure as failure:
        _attempt_end(transcript=transcript, failure=failure, now=timezone.now())
    except (KeyboardInterrupt, SystemExit):
        # The worker is being stopped mid-job: the transcript goes back to the queue at once
        # (no attempt spent) rather than waiting to be found abandoned.
        _quota_wait(transcript=transcript, until=timezone.now())
        raise
    except Exception:
        # A fault of the dashboard's own: the log has the details (redacted), the page words.
        logger.exception("Transcribing followup %s failed unexpectedly", followup_id)
        _attempt_end(
            transcript=transcript,
            failure=JobFailure(
                "Transcribing failed unexpectedly; the team that runs the dashboard can see why "
                "in its logs.",
                retryable=True,
            ),
            now=timezone.now(),
        )
    else:
        saved = _claimed(transcript).update(
            status=Status.DONE,
            progress=1,
            failure="",
            retryable=False,
            next_attempt_at=None,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            **result,
        )
        logger.info(
            "Transcribed followup %s in %.1f s", followup_id, (timezone.now() - now).total_seconds()
        )
        if saved:
            transcript_done.send(
                sender=Transcript, transcript=Transcript.objects.get(pk=transcript.pk)
            )


def _claim(*, followup_id: str) -> Transcript | None:
    now = timezone.now()
    claimed = (
        Transcript.objects.filter(followup_id=followup_id, status=Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            progress=0,
            updated_at=now,
        )
    )
    # Nothing to claim: done meanwhile, deleted, or another job has it.
    return transcript_get(followup_id=followup_id) if claimed else None


def _claimed(transcript: Transcript) -> Any:
    """The transcript's row, only while this job's claim on it holds."""
    return Transcript.objects.filter(
        pk=transcript.pk, status=Status.RUNNING, started_at=transcript.started_at
    )


def _enqueue_on_commit(*, followup_id: str, run_after: datetime | None = None) -> None:
    from transcripts.tasks import transcribe_followup

    task = (
        transcribe_followup if run_after is None else transcribe_followup.using(run_after=run_after)
    )
    transaction.on_commit(lambda: task.enqueue(followup_id))


def _attempt_end(*, transcript: Transcript, failure: JobFailure, now: datetime) -> None:
    """Queue the transcript again after a wait when the failure may pass and attempts are
    left; otherwise it has failed, with why in words."""
    with transaction.atomic():
        claim = _claimed(transcript)
        if failure.transient and transcript.attempts < settings.TRANSCRIBE_MAX_ATTEMPTS:
            wait = settings.TRANSCRIBE_RETRY_SECONDS * 4 ** max(0, transcript.attempts - 1)
            next_attempt_at = now + timedelta(seconds=wait)
            if claim.update(
                status=Status.QUEUED,
                next_attempt_at=next_attempt_at,
                failure=failure.message,
                retryable=True,
                progress=0,
                updated_at=now,
            ):
                _enqueue_on_commit(followup_id=transcript.followup_id, run_after=next_attempt_at)
            return
        claim.update(
            status=Status.FAILED,
            failure=failure.message,
            retryable=failure.retryable,
            next_attempt_at=None,
            finished_at=now,
            updated_at=now,
        )


def _quota_wait(*, transcript: Transcript, until: datetime) -> None:
    """Back to the queue until `until`, the attempt not counted."""
    with transaction.atomic():
        if _claimed(transcript).update(
            status=Status.QUEUED,
            attempts=F("attempts") - 1,
            next_attempt_at=until,
            updated_at=timezone.now(),
        ):
            _enqueue_on_commit(followup_id=transcript.followup_id, run_after=until)


def system_user() -> AbstractBaseUser:
    """The account the audit trail names for what the dashboard does on its own (jobs, the
    periodic read): inactive, with no usable password."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _followup_fetch(*, transcript: Transcript) -> Followup:
    """The followup with a usable recording link, through the shared cache: a kept answer
    whose link has minutes left costs nothing; otherwise GetBill is asked (counted in the
    company's quota only), unless the quota is under the reserve, where the job waits."""
    followup_id = transcript.followup_id
    system = system_user()
    try:
        if transcript.attempts > 1:
            # An earlier attempt's link may be what failed: this one asks for a new link.
            raise NotKeptError()
        answer: Answer[Followup] = followup_answer_get(
            followup_id=followup_id, mode=AnswerMode.KEPT
        )
    except NotKeptError:
        if quota_under_reserve():
            raise QuotaWait(_quota_reset_at()) from None
        try:
            answer = followup_answer_get(followup_id=followup_id, mode=AnswerMode.FRESH)
        except GetBillError as error:
            audit_record(
                user=system,
                action=AuditAction.RECORDING_URL_REFRESH,
                outcome=error.audit_outcome,
                followup_id=followup_id,
                detail=f"{error.audit_detail} ({_AUDIT_DETAIL})",
            )
            raise _getbill_failure(error) from None
    except NotFoundError as error:
        raise _getbill_failure(error) from None
    audit_record(
        user=system,
        action=AuditAction.RECORDING_URL_REFRESH,
        outcome=AuditOutcome.SHOWN,
        followup_id=followup_id,
        debt_id=answer.value.debt_id or "",
        detail=_AUDIT_DETAIL,
        source=answer.source.value,
    )
    return answer.value


def _quota_reset_at() -> datetime:
    status = rate_limit_status_get()
    if status is not None and status.reset_at is not None and status.reset_at > timezone.now():
        return status.reset_at
    return timezone.now() + timedelta(seconds=_QUOTA_WAIT_SECONDS)


def _getbill_failure(error: GetBillError) -> JobFailure:
    if isinstance(error, NotFoundError):
        return JobFailure("GetBill no longer has this followup.")
    transient = isinstance(
        error, RateLimitedError | UpstreamTimeoutError | UpstreamUnavailableError
    )
    transient = transient or error.status_code >= 500
    return JobFailure(
        f"GetBill could not give the recording's link: {error.user_message}",
        transient=transient,
        retryable=True,
    )


def _recording_transcribe(*, transcript: Transcript, followup: Followup) -> dict[str, Any]:
    """Download, decode and transcribe the followup's recording; the transcript's fields."""
    from transcripts.audio import AudioError, audio_decode

    if not followup.audio_url:
        raise JobFailure("This call has no recording to transcribe.")
    max_seconds = settings.TRANSCRIBE_MAX_SECONDS
    if followup.duration_ms is not None and followup.duration_ms > max_seconds * 1000:
        raise JobFailure(
            f"The call is longer than the {max_seconds / 60:.0f} minutes the dashboard transcribes."
        )
    try:
        engine = engine_get()
    except EngineUnavailableError as error:
        raise JobFailure(str(error), retryable=True) from None
    # An anonymous file: it has no name on disk, and goes when closed, whatever happens.
    with tempfile.TemporaryFile(prefix="recording-") as file:
        try:
            recording_download(
                url=followup.audio_url,
                file=file,
                max_bytes=settings.TRANSCRIBE_MAX_BYTES,
                seconds=settings.TRANSCRIBE_DOWNLOAD_SECONDS,
            )
        except MediaDownloadError as error:
            raise JobFailure(
                error.user_message, transient=error.transient, retryable=error.retryable
            ) from None
        file.seek(0)
        try:
            audio = audio_decode(file=file, max_seconds=max_seconds)
        except AudioError as error:
            raise JobFailure(str(error)) from None
    segments: list[dict[str, Any]] = []
    languages: list[str] = []
    report = _ProgressReport(transcript=transcript, parts=len(audio.channels))
    for index, samples in enumerate(audio.channels):
        result = engine.transcribe(
            samples,
            language=settings.TRANSCRIBE_LANGUAGE or None,
            progress=functools.partial(report.update, part=index),
        )
        if result.language:
            languages.append(result.language)
        speaker = index if audio.separate_speakers else None
        segments += [
            {
                "start": segment.start,
                "end": segment.end,
                "speaker": speaker,
                "text": segment.text,
                "words": [{"start": w.start, "end": w.end, "text": w.text} for w in segment.words],
            }
            for segment in result.segments
        ]
    segments.sort(key=lambda segment: (segment["start"], segment["end"]))
    return {
        "segments": segments,
        "peaks": list(audio.peaks),
        "language": max(set(languages), key=languages.count) if languages else "",
        "channels": len(audio.channels),
        "duration_seconds": round(audio.duration_seconds, 2),
        "model_name": engine.name[:100],
    }


class _ProgressReport:
    """Writes a running job's progress (0..1 over every channel) every few seconds."""

    def __init__(self, *, transcript: Transcript, parts: int) -> None:
        self._transcript = transcript
        self._parts = parts
        self._written_at = 0.0

    def update(self, share: float, *, part: int) -> None:
        now = time.monotonic()
        if now - self._written_at < _PROGRESS_SECONDS:
            return
        self._written_at = now
        progress = min(0.99, (part + share) / self._parts)
        _claimed(self._transcript).update(progress=round(progress, 3), updated_at=timezone.now())
