"""The review queue by risk: transcribed calls ordered and filtered by their trackers' flags
(forbidden phrases said, required ones missing, signals), read from the dashboard's own rows,
without asking GetBill."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet

from followups import access
from followups.audit import audit_record
from followups.browse import QUEUE_PERMISSIONS
from followups.extensions import queue_excluded_ids
from followups.models import AuditAction, AuditOutcome
from followups.presentation import duration_format
from trackers.models import Tracker, TrackerResult
from transcripts.models import Transcript

RISK_QUEUE_SIZE = 100
FLAG_FILTERS = {
    "forbidden": Q(forbidden_said__gt=0),
    "required": Q(required_missing__gt=0),
    "signal": Q(signals_said__gt=0),
    "flagged": Q(forbidden_said__gt=0) | Q(required_missing__gt=0) | Q(signals_said__gt=0),
}


@dataclass(frozen=True)
class RiskRow:
    followup_id: str
    called_at: datetime | None
    call_type: str
    call_status: str
    reasons: list[str] = field(default_factory=list)  # why it is flagged, worst first


@dataclass(frozen=True)
class RiskQueue:
    rows: list[RiskRow]
    not_transcribed: int  # calls with a recording the dashboard knows, not transcribed yet


def _flagged(kind: str) -> Count:
    return Count(
        "tracker_results",
        filter=Q(tracker_results__flagged=True, tracker_results__tracker__kind=kind),
    )


def _calls(*, flag: str, newest_first: bool) -> QuerySet[Transcript]:
    calls = Transcript.objects.filter(status=Transcript.Status.DONE).annotate(
        forbidden_said=_flagged(Tracker.Kind.FORBIDDEN),
        required_missing=_flagged(Tracker.Kind.REQUIRED),
        signals_said=_flagged(Tracker.Kind.SIGNAL),
    )
    if flag in FLAG_FILTERS:
        calls = calls.filter(FLAG_FILTERS[flag])
    newest = (F("called_at").desc(nulls_last=True), "-pk")
    if newest_first:
        return calls.order_by(*newest)
    return calls.order_by("-forbidden_said", "-required_missing", "-signals_said", *newest)


def _reason(result: TrackerResult) -> str:
    moment = (
        f" at {duration_format(ms=int(result.at_seconds * 1000))}"
        if result.at_seconds is not None
        else ""
    )
    if result.tracker.kind == Tracker.Kind.REQUIRED:
        return f"Missing: {result.tracker.name}"
    label = "Said" if result.tracker.kind == Tracker.Kind.FORBIDDEN else "Signal"
    return f"{label}: {result.tracker.name}{moment}"


def risk_queue_get(*, user: AbstractBaseUser, flag: str, newest_first: bool) -> RiskQueue:
    """`user`'s queue by risk (flagged calls first unless `newest_first`), without the calls
    they are done with; `flag` keeps only calls with that flag ("forbidden", "required",
    "signal", "flagged"; anything else: every transcribed call). Audited as the queue is."""
    if not access.user_may(user=user, permissions=list(QUEUE_PERMISSIONS)):
        audit_record(user=user, action=AuditAction.REVIEW_QUEUE, outcome=AuditOutcome.DENIED)
        raise PermissionDenied
    excluded = queue_excluded_ids(user=user)
    calls = list(
        _calls(flag=flag, newest_first=newest_first)
        .exclude(followup_id__in=excluded)
        .only("pk", "followup_id", "called_at", "call_type", "call_status")[:RISK_QUEUE_SIZE]
    )
    reasons: dict[int, list[TrackerResult]] = defaultdict(list)
    kinds: list[str] = [Tracker.Kind.FORBIDDEN, Tracker.Kind.REQUIRED, Tracker.Kind.SIGNAL]
    for result in TrackerResult.objects.filter(
        transcript__in=[call.pk for call in calls], flagged=True
    ).select_related("tracker"):
        reasons[result.transcript_id].append(result)
    rows = [
        RiskRow(
            followup_id=call.followup_id,
            called_at=call.called_at,
            call_type=call.call_type,
            call_status=call.call_status,
            reasons=[
                _reason(result)
                for result in sorted(
                    reasons[call.pk], key=lambda r: (kinds.index(r.tracker.kind), r.tracker.name)
                )
            ],
        )
        for call in calls
    ]
    # Calls without a recording stay known forever: nothing of theirs can be transcribed.
    not_transcribed = (
        Transcript.objects.filter(has_recording=True).exclude(status=Transcript.Status.DONE).count()
    )
    audit_record(
        user=user,
        action=AuditAction.REVIEW_QUEUE,
        outcome=AuditOutcome.SHOWN,
        detail=f"by risk ({flag or 'all'}): {len(rows)} calls",
    )
    return RiskQueue(rows=rows, not_transcribed=not_transcribed)
