"""A tracker's result as evidence for a scorecard criterion linked to it: what the call shows
and the answer it suggests (the reviewer still decides)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from followups.presentation import duration_format
from trackers.models import Tracker, TrackerResult

YES, NO = "yes", "no"  # the scorecard's answers (reviews.models.AnswerValue)


@dataclass(frozen=True)
class Evidence:
    found: bool
    second: int | None
    moment: str  # "0:12", or "" when not found
    phrase: str
    suggested: str  # "yes", "no", or "" (a signal suggests nothing)
    flagged: bool  # worth a reviewer's attention (TrackerResult.flagged): a hit


def _suggested(kind: str, found: bool) -> str:
    if kind == Tracker.Kind.REQUIRED:
        return YES if found else NO
    if kind == Tracker.Kind.FORBIDDEN:
        return NO if found else YES
    return ""


def evidence_for(*, followup_id: str, tracker_ids: Iterable[int | None]) -> dict[int, Evidence]:
    """Each of `tracker_ids`' evidence on the followup's transcript (none before it is checked)."""
    ids = [pk for pk in tracker_ids if pk is not None]
    if not ids:
        return {}
    results = TrackerResult.objects.filter(
        transcript__followup_id=followup_id, tracker_id__in=ids
    ).select_related("tracker")
    evidence = {}
    for result in results:
        second = int(result.at_seconds) if result.at_seconds is not None else None
        evidence[result.tracker_id] = Evidence(
            found=result.found,
            second=second,
            moment=duration_format(ms=second * 1000) or "" if second is not None else "",
            phrase=result.phrase,
            suggested=_suggested(result.tracker.kind, result.found),
            flagged=result.flagged,
        )
    return evidence
