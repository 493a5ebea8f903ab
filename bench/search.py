"""Search and trackers at size: 10,000 generated transcripts of three minutes (30 segments of
about 15 words, two channels), indexed as the worker indexes them.

Prints, on the database DATABASE_URL names (default: SQLite in memory; a PostgreSQL URL runs
the same on PostgreSQL):
- search: p50 and p95 of `transcripts_search` (the page's service: parse, audit entry, matching
  calls counted, newest first, one page of best segments) over a mix of words, phrases, word
  starts, filters, for a manager and for a QA reviewer (masked digits);
- trackers: p50 and p95 of checking one transcript against 50 trackers (the pure check, and
  with its results written), and the time to check all 10,000 again after a change (the job).
CPU time of this process (its own work and SQLite's, in process; other work on a shared machine
does not count; PostgreSQL's server time is not in it, so on PostgreSQL it is wall time);
asserts nothing. Run with `.venv/bin/python bench/search.py`
(TRANSCRIPTS=2000 for a quicker run).
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_ready

django_ready(
    **({"DATABASE_URL": os.environ["DATABASE_URL"]} if "DATABASE_URL" in os.environ else {})
)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.postgres.search import SearchVector  # noqa: E402
from django.db import connection  # noqa: E402

from search.folding import text_fold  # noqa: E402
from search.indexing import TEXT_SEARCH_CONFIG  # noqa: E402
from search.models import SegmentEntry, segment_entry_id  # noqa: E402
from search.services import SearchFilters, transcripts_search  # noqa: E402
from trackers.checking import transcript_check  # noqa: E402
from trackers.models import Tracker  # noqa: E402
from trackers.services import tracker_rules, transcript_trackers_check, transcripts_recheck  # noqa: E402
from transcripts.masking import digits_mask  # noqa: E402
from transcripts.models import Transcript  # noqa: E402

TRANSCRIPTS = int(os.environ.get("TRANSCRIPTS", "10000"))
SEGMENTS = 30
WORDS_PER_SEGMENT = 15
ROUNDS = 5
random.seed(24)

# A vocabulary with a long tail, as speech has: a few words very common, most rare.
COMMON = [
    "the",
    "i",
    "you",
    "to",
    "a",
    "and",
    "is",
    "it",
    "that",
    "of",
    "we",
    "on",
    "for",
    "your",
    "can",
    "pay",
    "this",
    "my",
    "call",
]
WORDS = [
    "".join(random.choice("bcdfglmnprstvaeiou") for _ in range(random.randint(4, 9)))
    for _ in range(4000)
]
SAYINGS = [
    "this call is recorded",
    "on behalf of acme",
    "i dispute this debt",
    "je conteste la dette",
    "my lawyer will call you",
    "i am bankrupt",
    "my card is 4970 1012 3456 7890",
    "we will seize your car",
]
QUERIES = [
    "lawyer",
    "dispute",
    "conteste",
    '"this call is recorded"',
    '"on behalf of"',
    "bankr*",
    "card 4970",
    "the",
    "pay call",
    WORDS[17],
    WORDS[3999],
    f"{WORDS[5][:3]}*",
    '"we will seize"',
    "nothing_matches_this",
]


def _segment_text() -> str:
    words = [
        random.choice(COMMON) if random.random() < 0.4 else random.choice(WORDS)
        for _ in range(WORDS_PER_SEGMENT)
    ]
    if random.random() < 0.02:
        words[5:5] = random.choice(SAYINGS).split()
    return " ".join(words).capitalize() + "."


def _generate() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    types, statuses = ["call_out", "call_in", "voicemail"], ["answered", "no_answer", "busy"]
    rows = [
        Transcript(
            followup_id=f"fu{n:06d}",
            status=Transcript.Status.DONE,
            language=random.choice(["en", "fr"]),
            channels=2,
            duration_seconds=180.0,
            segments=[
                {
                    "start": s * 6.0,
                    "end": s * 6.0 + 5.5,
                    "speaker": s % 2,
                    "text": _segment_text(),
                    "words": [],
                }
                for s in range(SEGMENTS)
            ],
            call_type=random.choice(types),
            call_status=random.choice(statuses),
            called_at=start + timedelta(minutes=17 * n),
        )
        for n in range(TRANSCRIPTS)
    ]
    Transcript.objects.bulk_create(rows, batch_size=500)
    # Indexed as search.indexing does, in larger batches (the FTS5 triggers fire the same).
    entries = []
    for transcript in Transcript.objects.only("pk", "segments").iterator(chunk_size=500):
        for position, segment in enumerate(transcript.segments):
            entries.append(
                SegmentEntry(
                    id=segment_entry_id(transcript_id=transcript.pk, position=position),
                    transcript_id=transcript.pk,
                    position=position,
                    start=segment["start"],
                    speaker=segment["speaker"],
                    words=text_fold(segment["text"]),
                    words_masked=text_fold(digits_mask(segment["text"])),
                )
            )
        if len(entries) >= 10_000:
            SegmentEntry.objects.bulk_create(entries)
            entries = []
    SegmentEntry.objects.bulk_create(entries)
    if connection.vendor == "postgresql":
        SegmentEntry.objects.update(
            vector=SearchVector("words", config=TEXT_SEARCH_CONFIG),
            vector_masked=SearchVector("words_masked", config=TEXT_SEARCH_CONFIG),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _trackers(count: int) -> None:
    kinds = ["required", "forbidden", "signal"]
    Tracker.objects.bulk_create(
        Tracker(
            name=f"Tracker {n}",
            kind=kinds[n % 3],
            phrases=[
                SAYINGS[n % len(SAYINGS)],
                f"{random.choice(WORDS)} {random.choice(WORDS)}",
                random.choice(WORDS),
            ],
            within_seconds=60 if n % 3 == 0 else None,
            speaker=["", "agent", "debtor"][n % 3],
        )
        for n in range(count)
    )


def _ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    median = statistics.median(ordered)
    return f"p50 {median * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   (n={len(ordered)})"


def _user(name: str, group: str):
    user = get_user_model().objects.create_user(username=name)
    user.groups.add(Group.objects.get(name=group))
    return user


_clock = time.perf_counter if connection.vendor == "postgresql" else time.process_time


def main() -> None:
    began = _clock()
    _generate()
    segments = SegmentEntry.objects.count()
    print(
        f"{connection.vendor}: {TRANSCRIPTS} transcripts, {segments} segments "
        f"indexed in {_clock() - began:.1f} s"
    )
    manager = _user("bench-manager", "Collections managers")
    reviewer = _user("bench-qa", "QA reviewers")
    filters = [
        SearchFilters(),
        SearchFilters(call_type="call_in"),
        SearchFilters(called_from=datetime(2026, 3, 1).date()),
    ]
    for label, user in [("manager", manager), ("QA reviewer", reviewer)]:
        times = []
        worst = ("", 0.0)
        for _ in range(ROUNDS):
            for query in QUERIES:
                for search_filters in filters:
                    started = _clock()
                    transcripts_search(user=user, text=query, filters=search_filters, page=1)
                    took = _clock() - started
                    times.append(took)
                    worst = max(worst, (query, took), key=lambda w: w[1])
        print(
            f"search ({label}):{' ' * (19 - len(label))}{_ms(times)}   "
            f"slowest: {worst[0]!r} {worst[1] * 1000:.0f} ms"
        )
    deep = []
    for _ in range(ROUNDS):
        started = _clock()
        transcripts_search(user=manager, text="the", filters=SearchFilters(), page=200)
        deep.append(_clock() - started)
    print(f"search, page 200 of 'the':     {_ms(deep)}")

    _trackers(50)
    rules = tracker_rules()
    sample = list(Transcript.objects.order_by("?")[:200])
    pure, written = [], []
    for transcript in sample:
        started = _clock()
        transcript_check(
            segments=transcript.segments,
            channels=2,
            language=transcript.language,
            rules=rules,
            agent_channel=settings.TRANSCRIPT_AGENT_CHANNEL,
        )
        pure.append(_clock() - started)
        started = _clock()
        transcript_trackers_check(transcript=transcript, rules=rules)
        written.append(_clock() - started)
    print(f"tracker check, 50 trackers:    {_ms(pure)}")
    print(f"  with its results written:    {_ms(written)}")
    started = _clock()
    checked = transcripts_recheck()
    print(
        f"re-check all after a change:   {checked} transcripts in {_clock() - started:.1f} s "
        "(a background job, batches of 200)"
    )


if __name__ == "__main__":
    main()
