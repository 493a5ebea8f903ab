"""Transcripts of followups' recordings, made on the company's own machines, and the
dashboard's own table of calls.

One row per call, tied to it by its GetBill ID, from the moment the dashboard learns of the call
(a page that fetched it, a webhook, the periodic read of the newest calls): `known` until a
transcript is asked for. The row is then also the job's state (queued, running, done, failed,
with its attempts). It keeps the call's facts as GetBill last gave them (type, status, date,
duration, debt, whether there is a recording; no summary or notes) so that calls can be listed,
searched and ordered without asking GetBill. A call without a recording stays `known`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

FOLLOWUP_ID_MAX_LENGTH = 64


class Transcript(models.Model):
    class Status(models.TextChoices):
        KNOWN = "known", "Not transcribed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Transcribing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    followup_id = models.CharField(max_length=FOLLOWUP_ID_MAX_LENGTH, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a failed attempt may be tried again (the back-off); null when nothing is pending.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Why it failed, in words a reviewer understands (never an exception's text).
    failure = models.CharField(max_length=300, blank=True)
    # Whether "Try again" makes sense (an expired link does; a file that is not audio does not).
    retryable = models.BooleanField(default=False)
    progress = models.FloatField(default=0)  # 0..1 while running

    language = models.CharField(max_length=16, blank=True)
    channels = models.PositiveSmallIntegerField(default=1)
    duration_seconds = models.FloatField(null=True, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    # [{"start", "end", "speaker" (channel index, null on a one-channel call), "text",
    #   "words": [{"start", "end", "text"}]}], times in seconds.
    segments = models.JSONField(default=list, blank=True)
    # The waveform: a few hundred values in 0..1.
    peaks = models.JSONField(default=list, blank=True)

    # The call's facts as GetBill last gave them.
    call_type = models.CharField(max_length=64, blank=True)
    call_status = models.CharField(max_length=64, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    call_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    debt_id = models.CharField(max_length=64, blank=True)
    # Whether GetBill ever gave the call a recording (once seen, a recording is not forgotten
    # because one answer came without its link).
    has_recording = models.BooleanField(default=False)
    facts_updated_at = models.DateTimeField(null=True, blank=True)

    # When the dashboard learnt of the call: when GetBill's answer naming it came in, which may
    # be a moment before the row is written (a page writes its calls once it has been sent).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="transcript_status_created"),
            models.Index(fields=["called_at"], name="transcript_called_at"),
        ]

    def __str__(self) -> str:
        return f"Call {self.followup_id} ({self.get_status_display().lower()})"
