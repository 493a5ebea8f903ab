"""What `/insights/` costs over 100,000 submitted reviews (four answers each, twelve reviewers,
two scorecards, one of which changed version, a year of weeks; each call transcribed and two
trackers linked to criteria, one flagging a call in five): the page as a manager sees it
(everyone's figures) and as a reviewer (their own), for the default twelve weeks and for the
whole year, through Django's test client; and two charts' CSV exports. The reviews are
written in bulk, not through the review services, so the weekly roll-up is then rebuilt from
them (`manage.py insights_rebuild`'s work, timed).

Prints the median and 95th percentile wall time of ROUNDS runs of each (INSIGHTS_BENCH_ROUNDS),
the median CPU time of this process (on SQLite that is the database's work too, and it does not
grow when other work shares the machine; on PostgreSQL the server's work is not in it), and the
number of SQL queries of a page. Asserts nothing. SQLite on a file by default; PostgreSQL with DATABASE_URL=postgres://...
(an empty database the benchmark may fill). Run with `.venv/bin/python bench/insights_page.py`.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_ready

REVIEWS = 100_000
REVIEWERS = 12
ROUNDS = int(os.environ.get("INSIGHTS_BENCH_ROUNDS", "21"))
# INSIGHTS_BENCH_SQLITE=path keeps the filled database for the next run.
_sqlite = os.environ.get("INSIGHTS_BENCH_SQLITE") or (
    f"{tempfile.mkdtemp(prefix='bench-insights-')}/bench.sqlite3"
)
django_ready(DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{_sqlite}")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from insights.rollup import rollup_rebuild  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import Answer, Criterion, Review, ReviewStatus, SuggestionUse, Verdict  # noqa: E402
from tests.support.accounts import role_user_make  # noqa: E402
from trackers.models import Tracker, TrackerResult  # noqa: E402
from transcripts.models import Transcript  # noqa: E402

_CHUNK = 5000


def _fill() -> tuple[Any, Any]:
    randomiser = random.Random(26)
    manager = role_user_make("manager")
    qa = role_user_make("qa")
    reviewers = [qa, manager] + [
        get_user_model().objects.create_user(username=f"reviewer-{n}") for n in range(REVIEWERS - 2)
    ]
    criteria = [services.CriterionSpec(label=f"Criterion {n}") for n in range(4)]
    calls = services.scorecard_create(name="Calls", criteria=criteria)
    letters = services.scorecard_create(name="Letters", criteria=criteria)
    calls_v2 = services.scorecard_new_version(scorecard=calls)
    services._criteria_create(scorecard=calls_v2, criteria=criteria)
    cards = [calls, letters, calls_v2]
    disclosure = Tracker.objects.create(
        name="Recording disclosure", kind=Tracker.Kind.REQUIRED, phrases=["this call is recorded"]
    )
    threats = Tracker.objects.create(
        name="Threats", kind=Tracker.Kind.FORBIDDEN, phrases=["we will seize"]
    )
    linked = {"Criterion 0": disclosure, "Criterion 1": threats}
    for label, tracker in linked.items():
        Criterion.objects.filter(label=label).update(tracker=tracker)
    card_criteria = {card.pk: list(card.criteria.all()) for card in cards}
    now = timezone.now()
    for first in range(0, REVIEWS, _CHUNK):
        batch = []
        for n in range(first, min(first + _CHUNK, REVIEWS)):
            score = randomiser.choice([0, 25, 50, 75, 100])
            batch.append(
                Review(
                    followup_id=f"bench{n}",
                    reviewer=reviewers[n % REVIEWERS],
                    scorecard=cards[n % 3],
                    status=ReviewStatus.SUBMITTED,
                    submitted_at=now - timedelta(minutes=randomiser.randrange(365 * 24 * 60)),
                    score=score,
                    verdict=Verdict.PASS if score >= 85 else Verdict.FAIL,
                    call_type=randomiser.choice(["call", "manual_call", None]),
                )
            )
        made = Review.objects.bulk_create(batch)
        transcripts = Transcript.objects.bulk_create(
            Transcript(followup_id=review.followup_id, status=Transcript.Status.DONE)
            for review in made
        )
        # A flagged result suggests "no" (a required phrase missing, a forbidden one said).
        flagged = {
            (transcript.followup_id, tracker.pk): randomiser.random() < 0.2
            for transcript in transcripts
            for tracker in linked.values()
        }
        TrackerResult.objects.bulk_create(
            TrackerResult(
                transcript=transcript,
                tracker=tracker,
                found=flagged[transcript.followup_id, tracker.pk] == (tracker == threats),
                flagged=flagged[transcript.followup_id, tracker.pk],
            )
            for transcript in transcripts
            for tracker in linked.values()
        )
        answers = []
        for review in made:
            for criterion in card_criteria[review.scorecard_id]:
                value = randomiser.choice(["yes", "yes", "no", "na"])
                suggestion, hit = "", False
                if criterion.tracker_id is not None:
                    hit = flagged[review.followup_id, criterion.tracker_id]
                    suggested = "no" if hit else "yes"
                    suggestion = (
                        SuggestionUse.FOLLOWED if value == suggested else SuggestionUse.OVERRIDDEN
                    )
                answers.append(
                    Answer(
                        review=review,
                        criterion=criterion,
                        value=value,
                        suggestion=suggestion,
                        tracker_flagged=hit,
                    )
                )
        Answer.objects.bulk_create(answers)
    started = time.perf_counter()
    buckets = rollup_rebuild()
    print(f"roll-up rebuilt: {buckets} week buckets in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # Fresh statistics, and on PostgreSQL the visibility map that index-only scans need.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return manager, qa


def _fetched(client: Client, url: str, query: dict[str, str]) -> Any:
    response = client.get(url, query, secure=True)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response


def _timed(client: Client, url: str, query: dict[str, str]) -> str:
    """The median and 95th percentile wall time in ms of ROUNDS requests, their median CPU
    time, and the queries of one."""
    # One request first, untimed: the first of a process compiles templates and URL patterns.
    _fetched(client, url, query)
    times, cpu = [], []
    for _ in range(ROUNDS):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = _fetched(client, url, query)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        _fetched(client, url, query)
    if os.environ.get("INSIGHTS_BENCH_QUERIES"):
        for captured in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"    {float(captured['time']) * 1000:7.1f} ms {captured['sql'][:160]}")
    return (
        f"{statistics.median(times):6.1f} ms, p95 {statistics.quantiles(times, n=20)[18]:6.1f} ms,"
        f" cpu {statistics.median(cpu):6.1f} ms, {len(queries)} queries"
    )


def main() -> None:
    started = time.perf_counter()
    if Review.objects.exists():
        manager, qa = (
            get_user_model().objects.get(username=n) for n in ("manager-user", "qa-user")
        )
    else:
        manager, qa = _fill()
    print(
        f"{connection.vendor}: {Review.objects.count()} reviews, {Answer.objects.count()} answers "
        f"made in {time.perf_counter() - started:.0f} s"
    )
    year = {
        "start": (timezone.localdate() - timedelta(days=364)).isoformat(),
        "end": timezone.localdate().isoformat(),
    }
    print(
        f"{ROUNDS} requests each: median and 95th percentile wall time, median CPU time of "
        f"this process, SQL queries of one (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)"
    )
    for who, user in (("manager", manager), ("reviewer", qa)):
        client = Client()
        client.force_login(user)
        for span, query in (("12 weeks", {}), ("one year", year)):
            print(f"/insights/ {who:8} {span:8}: {_timed(client, '/insights/', query)}")
    client = Client()
    client.force_login(manager)
    for chart in ("weeks", "trackers"):
        figures = _timed(client, f"/insights/export/{chart}.csv", year)
        print(f"{chart + '.csv':10} manager  one year: {figures}")


if __name__ == "__main__":
    main()
