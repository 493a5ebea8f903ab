"""GetBill's webhooks: checking a delivery, recording it once, and what each event does.

Everything here is cheap enough for the request (GetBill wants its answer within 10 seconds):
a few rows and cache entries. A followup's event whose `data` reads as a whole followup becomes
the kept answer about it, so the next look costs no request to GetBill; one that does not is a
partial update, and the kept answers it makes wrong are dropped instead. What is heavy (a
transcript) is a job, queued by the followup's ID once the request's writes are committed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from dashboard.after_response import work_at_once
from followups.debts import debt_kept_answers_drop
from followups.getbill import (
    NotWholeFollowupError,
    OlderFollowupError,
    followup_answer_keep,
    followup_answers_drop,
    id_is_valid,
)
from transcripts.services import transcript_request
from webhooks.models import EVENT_TYPE_MAX_LENGTH, WebhookDelivery

logger = logging.getLogger(__name__)

Outcome = WebhookDelivery.Outcome

FOLLOWUP_EVENTS = frozenset(
    {"followup.created", "followup.updated", "followup.completed", "followup.failed"}
)
# Their `data` is the debt itself.
DEBT_EVENTS = frozenset({"debt.created", "debt.updated", "debt.status_changed"})
# Their `data` is a payment or a plan, which names its debt.
DEBT_CHILD_EVENTS = frozenset(
    {
        "payment.received",
        "payment.failed",
        "payment_plan.created",
        "payment_plan.completed",
        "payment_plan.canceled",
    }
)
# A delivery still being handled this long after it came was lost with its worker (GetBill
# waits 10 s for an answer, gunicorn ends a worker stuck for longer than its timeout): the next
# delivery of the same body handles it.
HANDLING_LOST_SECONDS = 120

# What a type must look like to be kept on the row and logged ("followup.completed"): anything
# else in that field is no event name, and may be anything at all.
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")


def signature_valid(*, body: bytes, signature: str, secret: str) -> bool:
    """True when `signature` is the hex HMAC-SHA256 of `body` keyed with `secret`, compared in
    constant time (a header's text is Latin-1 as the server read it)."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    given = signature.strip().lower().encode("latin-1", errors="replace")
    return hmac.compare_digest(expected, given)


@dataclass(frozen=True)
class Event:
    type: str  # "" when the body has no usable type
    data: object


def event_read(*, body: bytes) -> Event | None:
    """The event in a delivery's body; None when it is not a JSON object."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    event_type = payload.get("type")
    if not (
        isinstance(event_type, str)
        and len(event_type) <= EVENT_TYPE_MAX_LENGTH
        and _EVENT_TYPE.fullmatch(event_type) is not None
    ):
        event_type = ""
    return Event(type=event_type, data=payload.get("data"))


def webhook_delivery_receive(*, body: bytes, now: datetime) -> WebhookDelivery | None:
    """Record a validly signed delivery and do what its event says, once: None when the same
    body was received within WEBHOOK_DEDUP_HOURS (nothing done again). Never raises for what
    the body holds: a fault while handling it is logged and recorded as the outcome."""
    event = event_read(body=body)
    delivery = _delivery_record(
        body_sha256=hashlib.sha256(body).hexdigest(),
        event_type=event.type if event is not None else "",
        now=now,
    )
    if delivery is None:
        return None
    try:
        # Acknowledged once everything the event changes is written (the table of calls
        # included), so a failure is this delivery's outcome, not lost after the answer.
        with work_at_once():
            outcome, followup_id, debt_id = _event_handle(event)
    except Exception as error:
        # Only the error's type: its text may quote the body (personal data, signed links).
        logger.error(
            "Handling GetBill's %s webhook failed: %s",
            delivery.event_type or "untyped",
            type(error).__name__,
        )
        outcome, followup_id, debt_id = Outcome.FAILED, "", ""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        outcome=outcome, followup_id=followup_id, debt_id=debt_id
    )
    delivery.outcome, delivery.followup_id, delivery.debt_id = outcome, followup_id, debt_id
    logger.info(
        "GetBill webhook %s: %s", delivery.event_type or "without a type", outcome.label.lower()
    )
    return delivery


def webhook_deliveries_purge(*, now: datetime) -> int:
    """Delete deliveries received more than WEBHOOK_DEDUP_HOURS before `now`; how many."""
    before = now - timedelta(hours=settings.WEBHOOK_DEDUP_HOURS)
    deleted, _ = WebhookDelivery.objects.filter(received_at__lt=before).delete()
    return deleted


def _delivery_record(*, body_sha256: str, event_type: str, now: datetime) -> WebhookDelivery | None:
    """The delivery's new row, or None when the same body came within WEBHOOK_DEDUP_HOURS and
    was handled, or is being handled.

    The unique hash decides between deliveries racing each other in several workers: one
    insert wins. A row the same body may have again is taken over by one UPDATE, which again
    only one worker wins: older than the window (the purge has not deleted it yet), or whose
    handling failed or was lost (HANDLING_LOST_SECONDS), so GetBill's next try is not
    acknowledged without being handled.
    """
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                body_sha256=body_sha256, event_type=event_type, received_at=now
            )
    except IntegrityError:
        pass
    before = now - timedelta(hours=settings.WEBHOOK_DEDUP_HOURS)
    lost = now - timedelta(seconds=HANDLING_LOST_SECONDS)
    again = (
        Q(received_at__lt=before)
        | Q(outcome=Outcome.FAILED)
        | Q(outcome=Outcome.RECEIVED, received_at__lt=lost)
    )
    renewed = WebhookDelivery.objects.filter(again, body_sha256=body_sha256).update(
        received_at=now,
        event_type=event_type,
        outcome=Outcome.RECEIVED,
        followup_id="",
        debt_id="",
        repeats=0,
    )
    if renewed:
        return WebhookDelivery.objects.get(body_sha256=body_sha256)
    WebhookDelivery.objects.filter(body_sha256=body_sha256).update(repeats=F("repeats") + 1)
    return None


def _event_handle(event: Event | None) -> tuple[Outcome, str, str]:
    """What the event does; its outcome and the followup's and debt's IDs it was about."""
    if event is None or not event.type:
        return Outcome.INVALID, "", ""
    data = event.data
    if event.type in FOLLOWUP_EVENTS:
        return _followup_event_handle(event_type=event.type, data=data)
    if event.type in DEBT_EVENTS | DEBT_CHILD_EVENTS:
        key = "id" if event.type in DEBT_EVENTS else "debt_id"
        debt_id = _id_field(data, key)
        if debt_id is None:
            return Outcome.INVALID, "", ""
        debt_kept_answers_drop(debt_id=debt_id, card=True)
        return Outcome.DROPPED, "", debt_id
    logger.info("GetBill webhook of a type the dashboard does not use: %s", event.type)
    return Outcome.IGNORED, "", ""


def _followup_event_handle(*, event_type: str, data: object) -> tuple[Outcome, str, str]:
    followup_id = _id_field(data, "id")
    if followup_id is None:
        return Outcome.INVALID, "", ""
    debt_id = _id_field(data, "debt_id")
    # The debt's pages list the followup (a new one, or its old status): the next look at the
    # debt asks GetBill, whether or not the followup itself is kept.
    if debt_id is not None:
        debt_kept_answers_drop(debt_id=debt_id, card=False)
    assert isinstance(data, Mapping)
    try:
        followup = followup_answer_keep(raw=data)
    except NotWholeFollowupError:
        followup_answers_drop(followup_id=followup_id)
        return Outcome.DROPPED, followup_id, debt_id or ""
    except OlderFollowupError:
        # Told late: the kept followup (and what its own event did) stands.
        return Outcome.OUTDATED, followup_id, debt_id or ""
    if event_type == "followup.completed" and followup.audio_url:
        # The row (with the call's facts) now, the job by the followup's ID on commit; the
        # job finds the kept answer and its link, without asking GetBill.
        transcript_request(followup=followup)
    return Outcome.KEPT, followup_id, debt_id or ""


def _id_field(data: object, key: str) -> str | None:
    """`data[key]` when `data` is an object and that is a well-formed GetBill ID, else None."""
    if not isinstance(data, Mapping):
        return None
    value = data.get(key)
    return value if isinstance(value, str) and id_is_valid(value) else None
