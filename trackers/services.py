"""Trackers' use cases: checking a transcript and keeping its results, checking them all again
after a change, importing and exporting the file."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction

from trackers.checking import TrackerRule, rule_make, transcript_check
from trackers.forms import FILE_KEYS, entry_errors, entry_form
from trackers.models import Tracker, TrackerResult
from transcripts.models import Transcript

RECHECK_BATCH = 200


class TrackerFileError(ValueError):
    """A tracker file that cannot be imported: `lines` say what is wrong, entry by entry."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def tracker_rules() -> list[TrackerRule]:
    return [
        rule_make(
            tracker_id=tracker.pk,
            kind=tracker.kind,
            phrases=tracker.phrases,
            within_seconds=tracker.within_seconds,
            language=tracker.language,
            speaker=tracker.speaker,
        )
        for tracker in Tracker.objects.all()
    ]


def transcript_trackers_check(
    *, transcript: Transcript, rules: list[TrackerRule] | None = None
) -> list[TrackerResult]:
    """Check a finished transcript against the trackers (or `rules`) and keep the results,
    replacing the earlier ones."""
    outcomes = transcript_check(
        segments=transcript.segments,
        channels=transcript.channels,
        language=transcript.language,
        rules=tracker_rules() if rules is None else rules,
        agent_channel=settings.TRANSCRIPT_AGENT_CHANNEL,
    )
    results = [
        TrackerResult(
            transcript=transcript,
            tracker_id=outcome.tracker_id,
            found=outcome.found,
            flagged=outcome.flagged,
            at_seconds=outcome.at_seconds,
            phrase=outcome.phrase,
            speaker_unknown=outcome.speaker_unknown,
        )
        for outcome in outcomes
    ]
    with transaction.atomic():
        TrackerResult.objects.filter(transcript=transcript).delete()
        return TrackerResult.objects.bulk_create(results)


def check_on_transcript_done(sender: Any, *, transcript: Transcript, **kwargs: Any) -> None:
    """transcripts' `transcript_done` receiver."""
    transcript_trackers_check(transcript=transcript)


def transcripts_recheck() -> int:
    """Check every finished transcript again (the job run after trackers changed), a batch at
    a time so that pages keep their share of the database; returns how many."""
    rules = tracker_rules()
    done = Transcript.objects.filter(status=Transcript.Status.DONE).order_by("pk")
    checked = 0
    last_pk = 0
    while True:
        batch = list(
            done.filter(pk__gt=last_pk).only("pk", "segments", "channels", "language")[
                :RECHECK_BATCH
            ]
        )
        if not batch:
            return checked
        for transcript in batch:
            transcript_trackers_check(transcript=transcript, rules=rules)
        checked += len(batch)
        last_pk = batch[-1].pk


def trackers_changed() -> None:
    """Have every transcript checked again by a job once the change is committed."""
    from trackers.tasks import trackers_recheck

    transaction.on_commit(trackers_recheck.enqueue)


def trackers_import(*, text: str) -> list[Tracker]:
    """Import a tracker file: the whole file is checked first and nothing is imported if any
    entry is wrong; trackers of the same names are replaced, the others kept."""
    try:
        entries = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise TrackerFileError([f"The file is not JSON: {error}"]) from None
    if not isinstance(entries, list):
        raise TrackerFileError(["The file is a JSON list of trackers."])
    problems: list[str] = []
    names: set[Any] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"entry {number}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({entry['name'][:60]})"
            if entry["name"] in names:
                problems.append(f"{label}: name: the file names this tracker twice")
            names.add(entry["name"])
        problems += [f"{label}: {error}" for error in entry_errors(entry)]
    if problems:
        raise TrackerFileError(problems)
    with transaction.atomic():
        imported = [entry_form(entry).save() for entry in entries]
        trackers_changed()
    return imported


def trackers_export() -> str:
    """Every tracker as the JSON file `trackers_import` reads."""
    entries = []
    for tracker in Tracker.objects.order_by("name"):
        entry: dict[str, Any] = {
            "name": tracker.name,
            "kind": tracker.kind,
            "phrases": tracker.phrases,
        }
        if tracker.within_seconds is not None:
            entry["within_seconds"] = tracker.within_seconds
        if tracker.language:
            entry["language"] = tracker.language
        if tracker.speaker:
            entry["speaker"] = tracker.speaker
        assert set(entry) <= FILE_KEYS
        entries.append(entry)
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
