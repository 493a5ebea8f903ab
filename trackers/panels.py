"""The tracker results on a followup's page, above its transcript (registered in
`followups.extensions`): what was found, when (a link to that moment), and what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string

from followups.getbill import Followup
from followups.presentation import duration_format
from trackers.evidence import page_tracker_results
from trackers.models import Tracker, TrackerResult
from transcripts import reading

PANEL_TEMPLATE = "trackers/_panel.html"


@dataclass(frozen=True)
class ResultShown:
    name: str
    kind: str
    found: bool
    flagged: bool
    second: int | None
    moment: str
    phrase: str
    speaker_unknown: bool


def result_shown(result: TrackerResult) -> ResultShown:
    second = int(result.at_seconds) if result.at_seconds is not None else None
    return ResultShown(
        name=result.tracker.name,
        kind=result.tracker.kind,
        found=result.found,
        flagged=result.flagged,
        second=second,
        moment=duration_format(ms=second * 1000) or "" if second is not None else "",
        phrase=result.phrase,
        speaker_unknown=result.speaker_unknown,
    )


def results_shown(*, results: list[TrackerResult]) -> list[ResultShown]:
    """A transcript's tracker results as the panel shows them, flagged ones first."""
    kinds: list[str] = [Tracker.Kind.FORBIDDEN, Tracker.Kind.REQUIRED, Tracker.Kind.SIGNAL]
    return sorted(
        (result_shown(result) for result in results),
        key=lambda shown: (not shown.flagged, kinds.index(shown.kind), shown.name),
    )


def tracker_panel_html(request: HttpRequest, followup: Followup) -> str:
    """The panel, or "" for a user who may not read transcripts or a call not checked yet."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not reading.may_read(user=user):
        return ""
    results = results_shown(results=page_tracker_results(request=request, followup_id=followup.id))
    if not results:
        return ""
    return render_to_string(
        PANEL_TEMPLATE, {"results": results, "followup_id": followup.id}, request=request
    )
