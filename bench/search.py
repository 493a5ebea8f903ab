"""Search and trackers at size: 10,000 generated transcripts of three minutes (30 segments of
about 15 words, two channels), indexed as the worker indexes them, 50 trackers.

Prints, on the database DATABASE_URL names (default: an SQLite file of its own in a temporary
folder; a PostgreSQL URL, naming an empty database made for it, runs the same on PostgreSQL):
- search: p50 and p95 of `transcripts_search` (the page's service: parse, audit entry, matching
  calls listed newest first up to 1,000, one page of best segments) over a mix of one word, a
  phrase, a word's start, several words, each alone and with a filter (type, date, tracker),
  for a manager and for a QA reviewer (masked digits), and per kind of search; and the last
  page of a common word;
- trackers: p50 and p95 of checking one transcript against the 50 trackers (the pure check,
  and with its results written), the first check of all 10,000 (every result written), then
  one tracker changed and all 10,000 checked again by the job in a process of its own (as the
  worker runs it), while a few signed-in users open a call's page at once: the page's p50 and
  p99 while the job runs and without it (a bounded number of requests each).
Search and the check alone: CPU time of this process (its own work, and SQLite's, in process)
and, on PostgreSQL, of its server process (read from /proc when the server runs on this
machine): other work on a shared machine does not count; the searches' wall time is printed
too. The job and the pages: wall time. The load average is printed with them: on a shared
machine it says how much of a wall time is other work. Asserts nothing.

    .venv/bin/python bench/search.py                    # SQLite
    DATABASE_URL=postgres://USER@HOST:PORT/EMPTY_DB .venv/bin/python bench/search.py

TRANSCRIPTS=2000 for a quicker run.
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_ready

# The job's own process (below) is this file run again with this flag, on the same database.
RECHECK_FLAG = "--recheck-job"
DATABASE_URL = os.environ.get("DATABASE_URL") or (
    f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-search-')) / 'db.sqlite3'}"
)
django_ready(DATABASE_URL=DATABASE_URL, DASHBOARD_GETBILL_REQUESTS_PER_HOUR="1000000")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from sandbox.data import EXAMPLES  # noqa: E402
from sandbox.origin import sandbox_origin_set  # noqa: E402
from sandbox.serve import sandbox_serve_in_thread  # noqa: E402
from search.folding import text_fold  # noqa: E402
from search.models import SegmentEntry, segment_entry_id  # noqa: E402
from search.services import MAX_LISTED, PAGE_SIZE, SearchFilters, transcripts_search  # noqa: E402
from trackers.checking import transcript_check  # noqa: E402
from trackers.models import Tracker, TrackerResult  # noqa: E402
from trackers.services import tracker_rules, transcript_trackers_check, transcripts_recheck  # noqa: E402
from transcripts.management.commands.db_worker import WORKER_NICENESS  # noqa: E402
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
# Each search and its kind (the figures per kind, below).
QUERY_KINDS = {
    "lawyer": "rare word",
    "dispute": "rare word",
    "conteste": "rare word",
    '"this call is recorded"': "phrase",
    '"on behalf of"': "phrase",
    "bankr*": "word's start",
    "card 4970": "several words",
    "the": "common word",
    "pay call": "common words",
    WORDS[17]: "rare word",
    WORDS[3999]: "rare word",
    f"{WORDS[5][:3]}*": "word's start",
    '"we will seize"': "phrase",
    "nothing_matches_this": "no match",
}
QUERIES = list(QUERY_KINDS)


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
            # The newest is a call the sandbox knows, so that its page opens (the pages below).
            followup_id=EXAMPLES["call_deal_found"] if n == TRANSCRIPTS - 1 else f"fu{n:06d}",
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
    # Indexed as search.indexing does, in larger batches (the FTS5 triggers, or PostgreSQL's
    # tsvector triggers, fire the same).
    entries = []
    calls = Transcript.objects.only("pk", "called_at", "segments")
    for transcript in calls.iterator(chunk_size=500):
        for position, segment in enumerate(transcript.segments):
            entries.append(
                SegmentEntry(
                    id=segment_entry_id(
                        transcript_id=transcript.pk,
                        called_at=transcript.called_at,
                        position=position,
                    ),
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
        # As autovacuum would soon: the planner's statistics of the new rows.
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


def _ms(seconds: list[float], *, high: float = 0.95) -> str:
    ordered = sorted(seconds)
    top = ordered[max(0, int(len(ordered) * high + 0.5) - 1)]
    median = statistics.median(ordered)
    label = f"p{int(high * 100)}"
    return f"p50 {median * 1000:6.1f} ms   {label} {top * 1000:6.1f} ms   (n={len(ordered)})"


def _load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def _user(name: str, group: str):
    user = get_user_model().objects.create_user(username=name)
    user.groups.add(Group.objects.get(name=group))
    return user


def _server_pid() -> int | None:
    """The PostgreSQL server process that runs this connection's queries, when it runs on this
    machine (loopback) and says how long it ran (/proc/PID/schedstat, in nanoseconds)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return pid if Path(f"/proc/{pid}/schedstat").exists() else None


_SERVER_PID = _server_pid()


def _clock() -> float:
    """CPU seconds of this process (SQLite's work included: it runs in process) and of its
    PostgreSQL server process: what a search costs the machine, whatever else runs on it."""
    cpu = time.process_time()
    if _SERVER_PID is not None:
        cpu += int(Path(f"/proc/{_SERVER_PID}/schedstat").read_text().split()[0]) / 1e9
    return cpu


def main() -> None:
    if Transcript.objects.exists():
        sys.exit(f"{connection.settings_dict['NAME']} holds transcripts: give an empty database")
    settings.SANDBOX_RATE_LIMIT = 100_000
    origin, stop = sandbox_serve_in_thread()
    sandbox_origin_set(origin=origin)
    try:
        run()
    finally:
        stop()


def run() -> None:
    print(f"{connection.vendor}: {_load()}")
    began = time.perf_counter()
    _generate()
    segments = SegmentEntry.objects.count()
    print(
        f"{TRANSCRIPTS} transcripts, {segments} segments "
        f"indexed in {time.perf_counter() - began:.1f} s (wall)"
    )
    _trackers(50)
    began = time.perf_counter()
    checked = transcripts_recheck()
    results = TrackerResult.objects.count()
    print(
        f"first check of all:            {checked} transcripts, {results} results written "
        f"in {time.perf_counter() - began:.1f} s (wall)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    searches(tracker_id=Tracker.objects.get(name="Tracker 4").pk)  # "my lawyer will call you"
    tracker_check()
    recheck_beside_pages()


def searches(*, tracker_id: int) -> None:
    manager = _user("bench-manager", "Collections managers")
    reviewer = _user("bench-qa", "QA reviewers")
    filters = [
        SearchFilters(),
        SearchFilters(call_type="call_in"),
        SearchFilters(called_from=datetime(2026, 3, 1).date()),
        SearchFilters(tracker_id=tracker_id),
    ]
    print(f"search, {len(QUERIES)} queries x {len(filters)} filters x {ROUNDS}: {_load()}")
    by_kind: dict[str, list[float]] = {kind: [] for kind in QUERY_KINDS.values()}
    for label, user in [("manager", manager), ("QA reviewer", reviewer)]:
        times, walls = [], []
        worst = ("", 0.0)
        for _ in range(ROUNDS):
            for query in QUERIES:
                for search_filters in filters:
                    started, wall = _clock(), time.perf_counter()
                    transcripts_search(user=user, text=query, filters=search_filters, page=1)
                    took = _clock() - started
                    walls.append(time.perf_counter() - wall)
                    times.append(took)
                    by_kind[QUERY_KINDS[query]].append(took)
                    worst = max(worst, (query, took), key=lambda w: w[1])
        print(
            f"search ({label}):{' ' * (19 - len(label))}{_ms(times)}   "
            f"slowest: {worst[0]!r} {worst[1] * 1000:.0f} ms"
        )
        print(f"  wall time:                   {_ms(walls)}")
    print("search by kind (both users):")
    for kind, kind_times in by_kind.items():
        print(f"  {kind + ':':<29}{_ms(kind_times)}")
    last_page = MAX_LISTED // PAGE_SIZE
    deep = []
    for _ in range(ROUNDS):
        started = _clock()
        found = transcripts_search(
            user=manager, text="the", filters=SearchFilters(), page=last_page
        )
        deep.append(_clock() - started)
    listed = f"{'more than ' if found.more else ''}{found.total} calls"
    print(f"search, page {last_page} of 'the' ({listed}): {_ms(deep)}")


def tracker_check() -> None:
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
    print(f"tracker check, 50 trackers:    {_ms(pure)}   {_load()}")
    print(f"  with its results written:    {_ms(written)}")


PAGE_USERS = 4
PAGE_REQUESTS = 40  # each user's, at most, in each of the two rounds


def _pages(*, until: threading.Event | None) -> list[float]:
    """Each of PAGE_USERS signed-in managers opens a call's page PAGE_REQUESTS times (or until
    `until` is set), all at once; the wall time of each page."""
    user_model = get_user_model()
    url = f"/followups/{EXAMPLES['call_deal_found']}/"
    times: list[float] = []
    lock = threading.Lock()

    def browse(number: int) -> None:
        browser = Client()
        browser.force_login(user_model.objects.get(username=f"bench-page-{number}"))
        for _ in range(PAGE_REQUESTS):
            if until is not None and until.is_set():
                break
            started = time.perf_counter()
            response = browser.get(url, secure=True)
            took = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            with lock:
                times.append(took)
        connection.close()

    threads = [threading.Thread(target=browse, args=(n,)) for n in range(PAGE_USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def recheck_beside_pages() -> None:
    for number in range(PAGE_USERS):
        _user(f"bench-page-{number}", "Collections managers")
    warm = Client()
    warm.force_login(get_user_model().objects.get(username="bench-page-0"))
    assert warm.get(f"/followups/{EXAMPLES['call_deal_found']}/", secure=True).status_code == 200
    alone = _pages(until=None)
    print(f"call's page, {PAGE_USERS} users at once:  {_ms(alone, high=0.99)}   {_load()}")
    # A tracker changed: one phrase more, said in some calls.
    tracker = Tracker.objects.get(name="Tracker 7")
    tracker.phrases = [*tracker.phrases, "pay call"]
    tracker.save()
    connection.close()  # the job's process must see the change (and SQLite's file unlocked)
    job_done = threading.Event()
    job = subprocess.Popen(  # noqa: S603 (this very file, run again)
        [sys.executable, __file__, RECHECK_FLAG],
        env={**os.environ, "DATABASE_URL": DATABASE_URL},
        stdout=subprocess.PIPE,
        text=True,
    )
    threading.Thread(target=lambda: (job.wait(), job_done.set()), daemon=True).start()
    during = _pages(until=job_done)
    load = _load()
    job.wait()
    assert job.stdout is not None
    checked, seconds, cpu, written = job.stdout.read().split()
    print(f"  while the job re-checks all:  {_ms(during, high=0.99)}   {load}")
    print(
        f"re-check all after a change:   {checked} transcripts in {float(seconds):.1f} s "
        f"(wall, its own process, resting between batches; CPU {float(cpu):.1f} s), "
        f"{written} results written (those that changed)"
    )


def recheck_job() -> None:
    """The job's process: what the worker runs after a tracker changed, at the worker's
    priority."""
    os.nice(WORKER_NICENESS)
    before = set(TrackerResult.objects.values_list("pk", "checked_at"))
    began, cpu = time.perf_counter(), _clock()
    checked = transcripts_recheck()
    took, cpu = time.perf_counter() - began, _clock() - cpu
    written = len(set(TrackerResult.objects.values_list("pk", "checked_at")) - before)
    print(checked, took, cpu, written)


if __name__ == "__main__":
    if RECHECK_FLAG in sys.argv:
        recheck_job()
    else:
        main()
