"""The tracker results on a followup's page, above its transcript, and their markers on the
player's seek bar (both registered in `followups.extensions`): what was found, when (a link to
that moment, a marker there), and what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string

from followups import access
from followups.getbill import Followup
from followups.presentation import duration_format
from trackers.evidence import page_tracker_results
from trackers.models import Tracker, TrackerResult
from transcripts import reading
from transcripts.masking import digits_mask

PANEL_TEMPLATE = "trackers/_panel.html"
MARKS_TEMPLATE = "trackers/_seek_bar_marks.html"
# What a marker on the seek bar calls each kind: "Forbidden: Threats at 0:12".
KIND_WORDS: dict[str, str] = {
    Tracker.Kind.FORBIDDEN: "Forbidden",
    Tracker.Kind.REQUIRED: "Required",
    Tracker.Kind.SIGNAL: "Signal",
}


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

    @property
    def kind_word(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)


def result_shown(result: TrackerResult, *, masked: bool) -> ResultShown:
    second = int(result.at_seconds) if result.at_seconds is not None else None
    return ResultShown(
        name=result.tracker.name,
        kind=result.tracker.kind,
        found=result.found,
        flagged=result.flagged,
        second=second,
        moment=duration_format(ms=second * 1000) or "" if second is not None else "",
        # The phrase found is what the call said: long digit runs masked as in its transcript.
        phrase=digits_mask(result.phrase) if masked else result.phrase,
        speaker_unknown=result.speaker_unknown,
    )


def results_shown(*, results: list[TrackerResult], masked: bool) -> list[ResultShown]:
    """A transcript's tracker results as the panel shows them, flagged ones first; phrases
    masked when `masked`."""
    kinds: list[str] = [Tracker.Kind.FORBIDDEN, Tracker.Kind.REQUIRED, Tracker.Kind.SIGNAL]
    return sorted(
        (result_shown(result, masked=masked) for result in results),
        key=lambda shown: (not shown.flagged, kinds.index(shown.kind), shown.name),
    )


def found_shown(*, results: list[TrackerResult], masked: bool) -> list[ResultShown]:
    """The trackers found in the call, in the call's order (then by name)."""
    found = (result for result in results if result.found and result.at_seconds is not None)
    return [
        result_shown(result, masked=masked)
        for result in sorted(found, key=lambda result: (result.at_seconds, result.tracker.name))
    ]


def _reader_masked(request: HttpRequest) -> bool | None:
    # Only those who may read transcripts see what was said in them: None for the others;
    # otherwise whether long digit runs are masked for them.
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not reading.may_read(user=user):
        return None
    return not access.user_may(user=user, permissions=[access.PERM_VIEW_FULL_PHONE])


def tracker_panel_html(request: HttpRequest, followup: Followup) -> str:
    """The panel, or "" for a user who may not read transcripts or a call not checked yet."""
    masked = _reader_masked(request)
    if masked is None:
        return ""
    results = results_shown(
        results=page_tracker_results(request=request, followup=followup), masked=masked
    )
    if not results:
        return ""
    return render_to_string(
        PANEL_TEMPLATE, {"results": results, "followup_id": followup.id}, request=request
    )


def tracker_marks_html(request: HttpRequest, followup: Followup) -> str:
    """A marker on the player's seek bar at each tracker found in the call, or "" (none found,
    or a user who may not read transcripts). Missing ones have no moment: the panel says them."""
    masked = _reader_masked(request)
    if masked is None:
        return ""
    # Along the bar: the keyboard meets them in the order of the call.
    found = found_shown(
        results=page_tracker_results(request=request, followup=followup), masked=masked
    )
    if not found:
        return ""
    return render_to_string(MARKS_TEMPLATE, {"results": found}, request=request)
