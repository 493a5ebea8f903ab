"""GetBill's webhook deliveries, one row each: what came, when, and what the dashboard did.

A row never holds the body (a followup's summary, notes or phone number, a signed link): only
the event's type, the IDs it was about and the SHA-256 of the body. GetBill's events carry no
ID of their own, so that hash is what makes a delivery sent twice be handled once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

EVENT_TYPE_MAX_LENGTH = 64


class WebhookDelivery(models.Model):
    class Outcome(models.TextChoices):
        RECEIVED = "received", "Received (being handled)"
        KEPT = "kept", "Followup kept as GetBill's answer"
        DROPPED = "dropped", "Kept answers dropped"
        OUTDATED = "outdated", "Older than the kept followup, acknowledged"
        IGNORED = "ignored", "Unknown event type, acknowledged"
        INVALID = "invalid", "Unreadable body, acknowledged"
        FAILED = "failed", "Handling failed (see the logs)"

    body_sha256 = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=EVENT_TYPE_MAX_LENGTH, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RECEIVED)
    followup_id = models.CharField(max_length=64, blank=True)
    debt_id = models.CharField(max_length=64, blank=True)
    # How many times the same body came again within WEBHOOK_DEDUP_HOURS (not handled again).
    repeats = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event_type or '(no type)'} at {self.received_at:%Y-%m-%d %H:%M:%S}"
