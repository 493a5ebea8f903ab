"""Reading a transcript: who may, what they see, and the audit trail of every look.

A transcript is as personal as the recording: only those who may listen to it read it, each
time the words are shown or downloaded an audit entry says so (as a played recording's does),
and long runs of digits are masked for those who do not see full phone numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from followups import access
from followups.errors import AppError
from followups.getbill import GetBillId
from followups.models import AuditAction, AuditOutcome
from transcripts import services
from transcripts.display import SegmentShown, Waveform, segments_shown, waveform_draw
from transcripts.models import Transcript
from transcripts.webvtt import webvtt_write

READ_PERMISSIONS = [access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING]


class TranscriptMissingError(AppError):
    """No finished transcript of this followup (none asked for yet, or still being made)."""

    status_code = 404
    audit_outcome = AuditOutcome.NOT_FOUND
    offers_lookup = True

    default_message = (
        "This followup has no transcript yet. Opening the followup's page has its recording "
        "transcribed; come back once it is done."
    )
    title = "No transcript yet"
    audit_words = "no transcript of this followup yet"


@dataclass(frozen=True)
class TranscriptShown:
    """A followup's transcript as one user sees it; `transcript` is None when there is none."""

    followup_id: str
    transcript: Transcript | None
    segments: list[SegmentShown]
    masked: bool
    calls_ahead: int | None

    @property
    def state(self) -> str:
        """ "none", or the transcript's status: "queued", "running", "done", "failed"."""
        return self.transcript.status if self.transcript is not None else "none"

    @property
    def in_progress(self) -> bool:
        return self.state in {Transcript.Status.QUEUED, Transcript.Status.RUNNING}

    @property
    def progress_percent(self) -> int:
        progress = self.transcript.progress if self.transcript is not None else 0
        return round(min(1.0, max(0.0, progress or 0.0)) * 100)


def may_read(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    return access.user_may(user=user, permissions=READ_PERMISSIONS)


def _shown(
    *, user: AbstractBaseUser, followup_id: str, transcript: Transcript | None
) -> TranscriptShown:
    masked = not access.user_may(user=user, permissions=[access.PERM_VIEW_FULL_PHONE])
    segments: list[SegmentShown] = []
    calls_ahead = None
    if transcript is not None and transcript.status == Transcript.Status.DONE:
        segments = segments_shown(segments=transcript.segments, masked=masked)
    elif transcript is not None and transcript.status == Transcript.Status.QUEUED:
        calls_ahead = services.queue_position(transcript=transcript)
    return TranscriptShown(
        followup_id=followup_id,
        transcript=transcript,
        segments=segments,
        masked=masked,
        calls_ahead=calls_ahead,
    )


def transcript_waveform(
    *, user: AbstractBaseUser | AnonymousUser, transcript: Transcript | None
) -> Waveform | None:
    """The recording's waveform for the player's seek bar, or None: no finished transcript,
    no peaks, or a user who may not listen. Loudness only, no words: no audit entry (the
    recording it is drawn from is audited when played)."""
    if transcript is None or transcript.status != Transcript.Status.DONE:
        return None
    if not may_read(user=user):
        return None
    return waveform_draw(peaks=transcript.peaks)


def _words_shown_record(*, audit: access.LookupAudit, shown: TranscriptShown) -> None:
    # An entry only when words were shown: "still transcribing" shows nothing personal.
    if shown.state == Transcript.Status.DONE:
        detail = "Digits masked" if shown.masked else ""
        audit.record(outcome=AuditOutcome.SHOWN, detail=detail)


def transcript_view(
    *, user: AbstractBaseUser, followup_id: GetBillId, transcript: Transcript | None = None
) -> TranscriptShown:
    """The followup's transcript (or where it stands) for `user`, audited when its words are
    shown. `transcript` is the row when the caller already has it (the followup's page, which
    has just asked for one). Raises PermissionMissingError, audited, without the right to
    listen."""
    audit = access.LookupAudit(
        user=user, action=AuditAction.TRANSCRIPT_VIEW, followup_id=followup_id
    )
    access.access_require(audit=audit, permissions=READ_PERMISSIONS)
    if transcript is None:
        transcript = services.transcript_get(followup_id=followup_id)
    if transcript is not None:
        # A page polling a transcript whose worker died sees it queued again, not "running"
        # for ever.
        transcript = services.transcript_stale_requeue(transcript=transcript, now=timezone.now())
    shown = _shown(user=user, followup_id=followup_id, transcript=transcript)
    _words_shown_record(audit=audit, shown=shown)
    return shown


def transcript_download(*, user: AbstractBaseUser, followup_id: GetBillId) -> str:
    """The followup's finished transcript as WebVTT, masked for `user`, audited as a download.
    Raises PermissionMissingError or TranscriptMissingError, both audited."""
    audit = access.LookupAudit(
        user=user, action=AuditAction.TRANSCRIPT_DOWNLOAD, followup_id=followup_id
    )
    access.access_require(audit=audit, permissions=READ_PERMISSIONS)
    shown = _shown(
        user=user,
        followup_id=followup_id,
        transcript=services.transcript_get(followup_id=followup_id),
    )
    if shown.state != Transcript.Status.DONE:
        raise access.refused(audit=audit, error=TranscriptMissingError())
    _words_shown_record(audit=audit, shown=shown)
    return webvtt_write(segments=shown.segments)


def transcript_try_again(*, user: AbstractBaseUser, followup_id: GetBillId) -> TranscriptShown:
    """ "Try again" on a failed transcript: queued once more when the failure allows it. Needs
    the right to listen (PermissionMissingError, audited, otherwise)."""
    audit = access.LookupAudit(
        user=user, action=AuditAction.TRANSCRIPT_VIEW, followup_id=followup_id
    )
    access.access_require(audit=audit, permissions=READ_PERMISSIONS)
    services.transcript_retry(followup_id=followup_id)
    return _shown(
        user=user,
        followup_id=followup_id,
        transcript=services.transcript_get(followup_id=followup_id),
    )
