"""Trackers' use cases: checking a transcript and keeping its results, checking them all again
after a change, importing and exporting the file."""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trackers.checking import TrackerRule, rule_make, transcript_check
from trackers.forms import FILE_KEYS, entry_errors, entry_form
from trackers.models import Tracker, TrackerResult
from transcripts.models import Transcript

RECHECK_BATCH = 200
# After each batch the job rests this many times as long as the batch took: it then takes at
# most half of one core, and the pages opened meanwhile (on the same machine, the same
# database) keep the rest. A re-check is no hurry; it is minutes either way.
RECHECK_REST = 1.0


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
    _results_keep(transcripts=[transcript], rules=tracker_rules() if rules is None else rules)
    return list(TrackerResult.objects.filter(transcript=transcript).order_by("tracker_id"))


def check_on_transcript_done(sender: Any, *, transcript: Transcript, **kwargs: Any) -> None:
    """transcripts' `transcript_done` receiver."""
    transcript_trackers_check(transcript=transcript)


def transcripts_recheck() -> int:
    """Check every finished transcript again (the job run after trackers changed), a batch at
    a time (one short transaction each, then a rest) so that pages keep their share of the
    machine and the database; returns how many."""
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
        began = time.monotonic()
        _results_keep(transcripts=batch, rules=rules)
        checked += len(batch)
        last_pk = batch[-1].pk
        if len(batch) == RECHECK_BATCH:  # not after the last one
            time.sleep((time.monotonic() - began) * RECHECK_REST)


# What a result says; the rest of the row is whose result it is, and when it was written.
_RESULT_FIELDS = ("found", "flagged", "at_seconds", "phrase", "speaker_unknown")


def _results_keep(*, transcripts: list[Transcript], rules: list[TrackerRule]) -> None:
    """Check `transcripts` against `rules` and keep the results, in one short transaction (the
    check is done before it): a result that did not change is left as it is (after one tracker
    changed, re-checking every transcript writes that tracker's changed results, not all 50
    of every call), one for a tracker that no longer applies is deleted."""
    outcomes = {
        transcript.pk: transcript_check(
            segments=transcript.segments,
            channels=transcript.channels,
            language=transcript.language,
            rules=rules,
            agent_channel=settings.TRANSCRIPT_AGENT_CHANNEL,
        )
        for transcript in transcripts
    }
    now = timezone.now()
    with transaction.atomic():
        # Plain values, and rows made only for what is written: building 10,000 model
        # instances a batch cost more than the check itself.
        earlier = {
            (transcript_id, tracker_id): (pk, tuple(said))
            for pk, transcript_id, tracker_id, *said in TrackerResult.objects.filter(
                transcript_id__in=outcomes
            ).values_list("pk", "transcript_id", "tracker_id", *_RESULT_FIELDS)
        }
        created: list[TrackerResult] = []
        changed: list[TrackerResult] = []
        for transcript_id, transcript_outcomes in outcomes.items():
            for outcome in transcript_outcomes:
                says = tuple(getattr(outcome, name) for name in _RESULT_FIELDS)
                pk, said = earlier.pop((transcript_id, outcome.tracker_id), (None, None))
                if said == says:
                    continue
                result = TrackerResult(
                    pk=pk,
                    transcript_id=transcript_id,
                    tracker_id=outcome.tracker_id,
                    checked_at=now,  # bulk_update does not apply auto_now
                    **dict(zip(_RESULT_FIELDS, says, strict=True)),
                )
                (created if pk is None else changed).append(result)
        TrackerResult.objects.filter(pk__in=[pk for pk, _ in earlier.values()]).delete()
        TrackerResult.objects.bulk_update(changed, [*_RESULT_FIELDS, "checked_at"], batch_size=500)
        TrackerResult.objects.bulk_create(created)


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
