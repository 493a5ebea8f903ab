"""What a warm followup page costs the dashboard itself: one signed-in Collections manager
opens a followup GetBill already answered, through Django's test client, in one process on the
embedded default (a SQLite file, the shared disk cache beside it). The call has every panel a
reviewed call shows: its transcript, tracker results, a comment, and the manager's draft review
on a scorecard whose criteria are linked to trackers; the page loads them right after itself,
in one request, measured apart. Prints, for the page and for its panels, the median time (wall,
and the process's CPU time), the SQL statements and the cache calls of one request (each
listed), and the size;
`--profile` adds pyinstrument's profile of both (`pip install pyinstrument`; not a
dependency of the dashboard). Asserts nothing.

    .venv/bin/python bench/detail_cost.py [--profile]
"""

import argparse
import collections
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import django_ready

ROUNDS = 200

_folder = Path(tempfile.mkdtemp(prefix="detail-cost-"))
django_ready(
    DASHBOARD_GETBILL_REQUESTS_PER_HOUR="1000000",
    DATABASE_URL=f"sqlite:///{_folder / 'db.sqlite3'}",
    CACHE_URL=os.environ.get("CACHE_URL", ""),
)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from reviews.models import Answer, AnswerValue, Comment, Review  # noqa: E402
from reviews.services import CriterionSpec, scorecard_create  # noqa: E402
from sandbox.data import EXAMPLES  # noqa: E402
from sandbox.origin import sandbox_origin_set  # noqa: E402
from sandbox.serve import sandbox_serve_in_thread  # noqa: E402
from tests.support.transcripts import transcript_make  # noqa: E402
from trackers.models import Tracker, TrackerResult  # noqa: E402

_CACHE_CALLS = ("get", "set", "add", "delete", "incr", "decr", "get_many", "set_many", "touch")


class CacheCalls:
    """Counts the default cache's calls while active, by method and key's kind."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self._backend = cache._connections[cache._alias]  # type: ignore[attr-defined]
        self._originals = {name: getattr(self._backend, name) for name in _CACHE_CALLS}

    def __enter__(self) -> "CacheCalls":
        for name, original in self._originals.items():
            setattr(self._backend, name, self._counted(name, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self._originals:
            delattr(self._backend, name)

    def _counted(self, name: str, original: Any) -> Any:
        def counted(key: Any = "", *args: Any, **kwargs: Any) -> Any:
            kind = ":".join(part for part in str(key).split(":")[:3] if not part.isdigit())
            self.calls[f"{name} {kind}"] += 1
            return original(key, *args, **kwargs)

        return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="pyinstrument's profile too")
    args = parser.parse_args()
    settings.SANDBOX_RATE_LIMIT = 100_000
    origin, stop = sandbox_serve_in_thread()
    sandbox_origin_set(origin=origin)
    try:
        run(profile=args.profile)
    finally:
        stop()


def panels_seed(*, followup_id: str, user: Any) -> None:
    """What a reviewed call has beside GetBill's answer: a finished transcript with two trackers'
    results, a scorecard whose criteria are linked to them, the user's comment and draft review."""
    greeting = Tracker.objects.create(
        name="Greeting", kind=Tracker.Kind.REQUIRED, phrases=["this is"]
    )
    threat = Tracker.objects.create(name="Threat", kind=Tracker.Kind.FORBIDDEN, phrases=["bailiff"])
    transcript = transcript_make(followup_id)
    TrackerResult.objects.create(
        transcript=transcript,
        tracker=greeting,
        found=True,
        flagged=False,
        at_seconds=0.5,
        phrase="this is",
    )
    TrackerResult.objects.create(transcript=transcript, tracker=threat, found=False, flagged=False)
    scorecard = scorecard_create(
        name="Call quality",
        criteria=[
            CriterionSpec(label="Greets the debtor"),
            CriterionSpec(label="No threats", critical=True),
            CriterionSpec(label="Agrees a next step", weight=2),
        ],
    )
    greets, no_threats, _ = scorecard.criteria.all()
    greets.tracker = greeting
    greets.save()
    no_threats.tracker = threat
    no_threats.save()
    review = Review.objects.create(followup_id=followup_id, reviewer=user, scorecard=scorecard)
    Answer.objects.create(review=review, criterion=greets, value=AnswerValue.YES)
    Comment.objects.create(followup_id=followup_id, author=user, at_seconds=3, text="Card read out")


def run(*, profile: bool) -> None:
    user = get_user_model().objects.create_user(username="detail-cost")
    user.groups.add(Group.objects.get(name="Collections managers"))
    browser = Client()
    browser.force_login(user)
    panels_seed(followup_id=EXAMPLES["call_deal_found"], user=user)
    url = f"/followups/{EXAMPLES['call_deal_found']}/"
    panels_headers = {"HX-Request": "true", "HX-Target": "followup-panels"}

    def page() -> int:
        response = browser.get(url, secure=True)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    def panels() -> int:
        response = browser.get(f"{url}panels/", secure=True, headers=panels_headers)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    page()  # the first look: GetBill asked for the followup, templates compiled
    # What the browser does next: the debt card's region loads it (GetBill asked for the
    # debt), so the warm pages find it kept and show it at once.
    card_url = f"/debts/{EXAMPLES['debt_with_history']}/card/"
    swap = {"HX-Request": "true", "HX-Target": "debt-card"}
    card = browser.get(card_url, secure=True, headers=swap)
    assert card.status_code == 200, card.status_code
    page()
    panels()
    # The panels are all there (panels that lost one would be cheaper, not faster).
    shown = browser.get(f"{url}panels/", secure=True, headers=panels_headers).content.decode()
    for panel in ('id="comments"', 'id="review-panel"', "Greets the debtor", "Card read out"):
        assert panel in shown, panel
    print(f"Python {sys.version.split()[0]}; cache {settings.CACHES['default']['BACKEND']}")
    for name, request in (("warm followup page", page), ("its panels", panels)):
        measure(name, request)
    if profile:
        from pyinstrument import Profiler

        for name, request in (("warm followup page", page), ("its panels", panels)):
            profiler = Profiler(interval=0.001)
            profiler.start()
            for _ in range(100):
                request()
            profiler.stop()
            print(f"--- {name}")
            print(profiler.output_text(unicode=False, color=False, show_all=False))


def measure(name: str, request: Any) -> None:
    """`request`'s median wall and CPU time, and one run's statements and cache calls."""
    statements: list[str] = []

    def statement_record(execute: Any, sql: str, *args: Any) -> Any:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(statement_record), CacheCalls() as cache_calls:
        size = request()
    samples = []
    # The process's own CPU time too: on a shared machine, the wall time counts others' work.
    cpu_samples = []
    for _ in range(ROUNDS):
        start, cpu_start = time.perf_counter(), time.process_time()
        request()
        samples.append((time.perf_counter() - start) * 1000)
        cpu_samples.append((time.process_time() - cpu_start) * 1000)
    print(
        f"{name}: median {statistics.median(samples):.2f} ms, "
        f"p95 {statistics.quantiles(samples, n=20)[-1]:.2f} ms, n={ROUNDS}, {size / 1024:.1f} KiB"
    )
    print(
        f"  CPU time: median {statistics.median(cpu_samples):.2f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  SQL statements: {len(statements)}")
    for sql in statements:
        print(f"    {sql[:160]}")
    print(f"  cache calls: {sum(cache_calls.calls.values())}")
    for call, count in sorted(cache_calls.calls.items()):
        print(f"    {count:3d} x {call}")


if __name__ == "__main__":
    main()
