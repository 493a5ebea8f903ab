"""A tracker's result as evidence for a scorecard criterion linked to it: what the call shows
and the answer it suggests (the reviewer still decides)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpRequest

from followups import extensions
from followups.getbill import Followup
from followups.presentation import duration_format
from trackers.models import Tracker, TrackerResult
from transcripts.panels import page_transcript

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


def page_tracker_results(*, request: HttpRequest, followup: Followup) -> list[TrackerResult]:
    """The followup's tracker results read once for its page: its trackers panel lists them and
    its review panel shows them as evidence. None without a transcript (the page's own read of
    it says so), so that a followup never transcribed costs no query here."""

    def results_read() -> list[TrackerResult]:
        transcript = page_transcript(request=request, followup=followup)
        if transcript is None:
            return []
        return list(
            TrackerResult.objects.filter(transcript_id=transcript.pk).select_related("tracker")
        )

    return extensions.page_memo(request, f"trackers:results:{followup.id}", results_read)


def evidence_for(
    *,
    followup_id: str,
    tracker_ids: Iterable[int | None],
    results: Sequence[TrackerResult] | None = None,
) -> dict[int, Evidence]:
    """Each of `tracker_ids`' evidence on the followup's transcript (none before it is checked).
    `results` are the followup's tracker results when the caller already read them."""
    ids = {pk for pk in tracker_ids if pk is not None}
    if not ids:
        return {}
    read: Iterable[TrackerResult] = (
        results
        if results is not None
        else TrackerResult.objects.filter(
            transcript__followup_id=followup_id, tracker_id__in=ids
        ).select_related("tracker")
    )
    evidence = {}
    for result in read:
        if result.tracker_id not in ids:
            continue
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
