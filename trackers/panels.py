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


def followup_results(*, followup_id: str, masked: bool) -> list[ResultShown]:
    """The followup's transcript's tracker results, flagged ones first; phrases masked when
    `masked`."""
    kinds: list[str] = [Tracker.Kind.FORBIDDEN, Tracker.Kind.REQUIRED, Tracker.Kind.SIGNAL]
    results = TrackerResult.objects.filter(transcript__followup_id=followup_id).select_related(
        "tracker"
    )
    return sorted(
        (result_shown(result, masked=masked) for result in results),
        key=lambda shown: (not shown.flagged, kinds.index(shown.kind), shown.name),
    )


def followup_found(*, followup_id: str, masked: bool) -> list[ResultShown]:
    """The trackers found in the followup's call, in the call's order (then by name)."""
    results = (
        TrackerResult.objects.filter(
            transcript__followup_id=followup_id, found=True, at_seconds__isnull=False
        )
        .select_related("tracker")
        .order_by("at_seconds", "tracker__name")
    )
    return [result_shown(result, masked=masked) for result in results]


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
    results = followup_results(followup_id=followup.id, masked=masked)
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
    found = followup_found(followup_id=followup.id, masked=masked)
    if not found:
        return ""
    return render_to_string(MARKS_TEMPLATE, {"results": found}, request=request)
