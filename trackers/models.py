"""Trackers: named lists of phrases a manager keeps (in the admin, or in a JSON file under
version control), and what each finished transcript showed of them."""

from __future__ import annotations

from django.db import models

from transcripts.models import Transcript

NAME_MAX_LENGTH = 100
PHRASE_MAX_LENGTH = 200


class Tracker(models.Model):
    class Kind(models.TextChoices):
        REQUIRED = "required", "Required (must be said)"
        FORBIDDEN = "forbidden", "Forbidden (must never be said)"
        SIGNAL = "signal", "Signal (worth a look)"

    class Speaker(models.TextChoices):
        AGENT = "agent", "The agent"
        DEBTOR = "debtor", "The debtor"

    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Plain phrases (not patterns), any of which counts: ["this call is recorded", ...].
    phrases = models.JSONField(default=list)
    # A required phrase must be said within the call's first N seconds (empty: anywhere).
    within_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Only calls in this language are checked ("fr", "en"; empty: every language).
    language = models.CharField(max_length=16, blank=True)
    # Only this speaker's words count (empty: anyone's).
    speaker = models.CharField(max_length=8, choices=Speaker.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrackerResult(models.Model):
    """One tracker on one transcript: found (with the moment and the phrase) or not."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="tracker_results"
    )
    tracker = models.ForeignKey(Tracker, on_delete=models.CASCADE, related_name="results")
    found = models.BooleanField()
    # Worth a reviewer's attention: a forbidden phrase said, a required one missing, a signal.
    flagged = models.BooleanField()
    at_seconds = models.FloatField(null=True, blank=True)
    phrase = models.CharField(max_length=PHRASE_MAX_LENGTH, blank=True)
    # A tracker bound to a speaker, on a one-channel call (no speakers): matched anyone's words.
    speaker_unknown = models.BooleanField(default=False)
    # When the result was last written: a re-check leaves a result that did not change as it is.
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transcript", "tracker"], name="tracker_result_unique")
        ]
        indexes = [
            models.Index(fields=["flagged", "transcript"], name="tracker_result_flagged"),
            # Search's filter "calls where this tracker was found": read from the index alone,
            # not from every result of the tracker (one a call) scattered over the table.
            models.Index(
                fields=["tracker", "transcript"],
                condition=models.Q(found=True),
                name="tracker_result_found",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracker} on {self.transcript_id}: {'found' if self.found else 'missing'}"
