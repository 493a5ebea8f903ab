"""Transcripts' jobs: queueing, retrying and reading them (the worker's side lives with the
engine). A minimal stand-in with the agreed signatures until the job side lands."""

from __future__ import annotations

from django.db.models import Q

from followups.getbill import Followup
from transcripts.models import Transcript


def transcript_get(*, followup_id: str) -> Transcript | None:
    return Transcript.objects.filter(followup_id=followup_id).first()


def transcript_request(*, followup: Followup) -> Transcript:
    transcript, _ = Transcript.objects.get_or_create(followup_id=followup.id)
    return transcript


def transcript_retry(*, followup_id: str) -> Transcript | None:
    Transcript.objects.filter(
        followup_id=followup_id, status=Transcript.Status.FAILED, retryable=True
    ).update(status=Transcript.Status.QUEUED, failure="", progress=0)
    return transcript_get(followup_id=followup_id)


def queue_position(*, transcript: Transcript) -> int:
    return (
        Transcript.objects.filter(
            Q(status=Transcript.Status.RUNNING)
            | Q(status=Transcript.Status.QUEUED, created_at__lt=transcript.created_at)
        )
        .exclude(pk=transcript.pk)
        .count()
    )
