"""The periodic read of the newest calls: every call enters the table of calls (and so search
and the queue by risk) without anyone opening it.

GetBill's list of followups filters one type at a time, so a read is one request per call-like
type (`followups.values.CALL_TYPES`), each the newest page of up to 100 followups with their
recording links. The answers pass through the client like any other: the table's rule
(`transcripts.facts`) puts the calls in it as they are read, the shared cache keeps each page
(the review queue's first part asks GetBill nothing while it is fresh) and each followup under
its own ID (the transcript job then finds its recording's link without asking). What is left
here is to queue the transcripts of the calls with a recording not transcribed yet, by ID.

The read acts for no user: it counts in the company's quota only, is skipped while that quota
is under GETBILL_QUOTA_RESERVE, and is audited as the system. It runs every
DASHBOARD_CALLS_POLL_MINUTES; while GetBill delivers followups' webhooks, which bring new calls
as they happen, it runs WEBHOOKS_SLOWER times less often, as a safety net for missed events.
Any number of processes may run it: one read per interval happens in the whole deployment
(an atomic `cache.add` on the interval's slot decides who).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache

from followups import values
from followups.audit import audit_record
from followups.getbill import (
    MAX_PAGE_SIZE,
    AnswerMode,
    Followup,
    GetBillError,
    followups_list_answer_get,
    quota_under_reserve,
)
from followups.models import AuditAction, AuditOutcome
from transcripts.models import Transcript
from transcripts.services import system_user, transcript_request
from webhooks.models import WebhookDelivery
from webhooks.services import FOLLOWUP_EVENTS

logger = logging.getLogger(__name__)

# How many times less often the read runs while GetBill delivers followups' webhooks.
WEBHOOKS_SLOWER = 6
_AUDIT_DETAIL = "the newest calls, for the table of calls"
_LOCK_KEY = "calls:newest-read"


@dataclass(frozen=True)
class NewestRead:
    """What one read did."""

    types_read: tuple[str, ...]
    # Not asked: the company's quota was under the reserve.
    types_skipped: tuple[str, ...]
    # Asked, and GetBill failed (audited and logged).
    types_failed: tuple[str, ...]
    calls_seen: int
    transcripts_queued: int

    @property
    def summary(self) -> str:
        parts = [f"{self.calls_seen} calls read ({', '.join(self.types_read) or 'no type'})"]
        parts.append(f"{self.transcripts_queued} transcripts queued")
        if self.types_skipped:
            parts.append(f"skipped under the quota reserve: {', '.join(self.types_skipped)}")
        if self.types_failed:
            parts.append(f"GetBill failed for: {', '.join(self.types_failed)}")
        return "; ".join(parts)


def calls_newest_read(*, now: datetime) -> NewestRead:
    """Read the newest page of each call-like type from GetBill (one request each), which puts
    the calls in the table, and queue the transcripts of those with a recording that were only
    known; what it did."""
    system = system_user()
    read: list[str] = []
    skipped: list[str] = []
    failed: list[str] = []
    followups: list[Followup] = []
    for call_type in values.CALL_TYPES:
        # Checked before each request: the previous one may have brought the quota down.
        if quota_under_reserve():
            skipped.append(call_type)
            continue
        try:
            answer = followups_list_answer_get(
                page=1, limit=MAX_PAGE_SIZE, type=call_type, mode=AnswerMode.FRESH
            )
        except GetBillError as error:
            audit_record(
                user=system,
                action=AuditAction.FOLLOWUPS_LIST,
                outcome=error.audit_outcome,
                detail=f"{error.audit_detail} ({_AUDIT_DETAIL}: {call_type})",
            )
            logger.warning(
                "Reading the newest calls of type %s failed: %s", call_type, type(error).__name__
            )
            failed.append(call_type)
            continue
        page = answer.value.followups
        audit_record(
            user=system,
            action=AuditAction.FOLLOWUPS_LIST,
            outcome=AuditOutcome.SHOWN,
            detail=f"{_AUDIT_DETAIL}: {call_type}, {len(page)} followups",
            source=answer.source.value,
        )
        read.append(call_type)
        followups += page
    if skipped:
        logger.warning(
            "Reading the newest calls: skipped %s, GetBill's quota is under the reserve",
            ", ".join(skipped),
        )
    return NewestRead(
        types_read=tuple(read),
        types_skipped=tuple(skipped),
        types_failed=tuple(failed),
        calls_seen=len({followup.id for followup in followups}),
        transcripts_queued=_recordings_queue(followups=followups, now=now),
    )


def _recordings_queue(*, followups: Sequence[Followup], now: datetime) -> int:
    """Queue the transcripts of the calls among `followups` that have a recording and are only
    known, newest first; how many. Calls older than the transcripts' retention are left: their
    transcript would be purged at once, and read again next time."""
    oldest = now - timedelta(days=settings.DASHBOARD_TRANSCRIPT_RETENTION_DAYS)
    with_recording = {
        followup.id: followup
        for followup in followups
        if followup.audio_url and (followup.call_date is None or followup.call_date >= oldest)
    }
    known = set(
        Transcript.objects.filter(
            followup_id__in=with_recording, status=Transcript.Status.KNOWN
        ).values_list("followup_id", flat=True)
    )
    newest_first = sorted(
        (with_recording[followup_id] for followup_id in known),
        key=lambda followup: (followup.call_date or now, followup.id),
        reverse=True,
    )
    queued = 0
    for followup in newest_first:
        transcript = transcript_request(followup=followup)
        queued += transcript is not None and transcript.status == Transcript.Status.QUEUED
    return queued


def calls_poll_interval(*, now: datetime) -> timedelta:
    """How long between two reads: DASHBOARD_CALLS_POLL_MINUTES, or WEBHOOKS_SLOWER times that
    while GetBill delivers followups' webhooks (one came within that longer interval)."""
    interval = timedelta(minutes=settings.DASHBOARD_CALLS_POLL_MINUTES)
    slower = interval * WEBHOOKS_SLOWER
    delivering = (
        WebhookDelivery.objects.filter(
            received_at__gt=now - slower,
            event_type__in=FOLLOWUP_EVENTS,
            outcome__in=(WebhookDelivery.Outcome.KEPT, WebhookDelivery.Outcome.DROPPED),
        )
        .only("pk")
        .exists()
    )
    return slower if delivering else interval


def calls_poll_once(*, now: datetime) -> NewestRead | None:
    """The read, if it is due at `now` and no other process of the deployment has done it in
    this interval; None otherwise (and when DASHBOARD_CALLS_POLL_MINUTES is 0: off).

    Intervals are slots of wall-clock time: whoever first adds the slot's key to the shared
    cache reads, the others find it there. The key outlives its slot, so a slow read is never
    started again in the same slot.
    """
    if not settings.DASHBOARD_CALLS_POLL_MINUTES:
        return None
    seconds = int(calls_poll_interval(now=now).total_seconds())
    slot = int(now.timestamp()) // seconds
    if not cache.add(f"{_LOCK_KEY}:{seconds}:{slot}", now.isoformat(), timeout=2 * seconds):
        return None
    return calls_newest_read(now=now)
