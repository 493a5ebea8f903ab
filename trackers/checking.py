"""Checking a transcript against trackers: a pure function of the segments and the rules
(no database), so the worker, the tests and bench/search.py run the same code.

Words are compared folded (search.folding: case, accents and punctuation ignored), a phrase
matching whole words in a row within one segment ("recorded" is not found in "unrecorded").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from search.folding import text_fold


@dataclass(frozen=True)
class TrackerRule:
    """A tracker as the check needs it, its phrases folded."""

    tracker_id: int
    kind: str  # "required", "forbidden" or "signal"
    phrases: tuple[tuple[str, str], ...]  # (folded, as written)
    within_seconds: int | None = None
    language: str = ""
    speaker: str = ""  # "agent", "debtor" or ""


@dataclass(frozen=True)
class TrackerOutcome:
    tracker_id: int
    found: bool
    flagged: bool
    at_seconds: float | None = None
    phrase: str = ""
    speaker_unknown: bool = False


def rule_make(
    *,
    tracker_id: int,
    kind: str,
    phrases: Iterable[str],
    within_seconds: int | None = None,
    language: str = "",
    speaker: str = "",
) -> TrackerRule:
    folded = tuple((text_fold(phrase), phrase) for phrase in phrases)
    return TrackerRule(
        tracker_id=tracker_id,
        kind=kind,
        phrases=tuple((words, phrase) for words, phrase in folded if words),
        within_seconds=within_seconds,
        language=language.lower(),
        speaker=speaker,
    )


def _applies(rule: TrackerRule, language: str) -> bool:
    if not rule.language:
        return True
    return language.lower().split("-")[0] == rule.language.split("-")[0]


def _speaker_channel(rule: TrackerRule, agent_channel: int) -> int | None:
    if rule.speaker == "agent":
        return agent_channel
    if rule.speaker == "debtor":
        return 1 - agent_channel
    return None


def transcript_check(
    *,
    segments: Sequence[Mapping[str, Any]],
    channels: int,
    language: str,
    rules: Iterable[TrackerRule],
    agent_channel: int,
) -> list[TrackerOutcome]:
    """Each applicable rule's outcome on the transcript (rules for another language are left
    out): found at the first segment that says one of its phrases, by the rule's speaker (on a
    one-channel call anyone, `speaker_unknown`), within its first seconds for a required one."""
    # Padded with spaces, so that " phrase " matches whole words only.
    spoken = [
        (
            float(segment.get("start") or 0),
            segment.get("speaker"),
            f" {text_fold(str(segment.get('text', '')))} ",
        )
        for segment in segments
    ]
    # The whole call at once, a line a segment (a phrase never runs on from one to the next):
    # most phrases are said in no call, and one look tells so, instead of one per segment.
    call = "\n".join(words for _, _, words in spoken)
    two_speakers = channels > 1
    outcomes = []
    for rule in rules:
        if not _applies(rule, language):
            continue
        channel = _speaker_channel(rule, agent_channel)
        speaker_unknown = channel is not None and not two_speakers
        found_at: tuple[float, str] | None = None
        said = [(f" {folded} ", written) for folded, written in rule.phrases]
        said = [(padded, written) for padded, written in said if padded in call]
        for start, speaker, words in spoken if said else []:
            if (
                rule.kind == "required"
                and rule.within_seconds is not None
                and (start > rule.within_seconds)
            ):
                break
            if channel is not None and two_speakers and speaker != channel:
                continue
            phrase = next((written for padded, written in said if padded in words), None)
            if phrase is not None:
                found_at = (start, phrase)
                break
        found = found_at is not None
        outcomes.append(
            TrackerOutcome(
                tracker_id=rule.tracker_id,
                found=found,
                flagged=not found if rule.kind == "required" else found,
                at_seconds=found_at[0] if found_at else None,
                phrase=found_at[1] if found_at else "",
                speaker_unknown=speaker_unknown,
            )
        )
    return outcomes
