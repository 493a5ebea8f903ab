"""Load benchmark: N signed-in users on loopback, each opening a followup's page every
THINK seconds, against gunicorn, with GetBill's answers delayed by a set latency.

For each setup (the embedded default: SQLite and the shared disk cache, CACHE_URL unset; and
PostgreSQL + Redis when --database-url/--cache-url or DATABASE_URL/CACHE_URL name them) it
serves the dashboard with gunicorn.conf.py (WEB_CONCURRENCY workers), the sandbox in a process
of its own behind the latency, and prints pages/s, 5xx and p50/p95/p99 for the sign-in page
and for detail pages (each page timed until it has come, as it is then shown; then, apart,
until what the browser loads right after it has come too: its panels, the debt card), the ratio
of their pages/s, and how many requests each phase made to GetBill. Between the two, one user
opens followups nobody opened yet one at a time: a direct GET of each from GetBill, its page
(the first look) and the page again, and /healthz (the floor: a request the server answers
with no session, query or template). On the embedded default, a fresh deployment on
--token-workers workers (4) counts its token requests. Each setup ends with its figures
against the targets. It asserts nothing. Bounded: each phase lasts
--seconds, the one user opens --one-user followups.

The calls among the detail pages have every panel a reviewed call shows (seeded in the served
database before the phases): a finished transcript, tracker results, and a scorecard whose
criteria show those results as evidence in each manager's review panel. The panels come right
after the page, in one request.

The warm-up's pages are each worker's first looks: GetBill asked for the followup (one round
trip of the latency), then the debt card the page loads after itself. The measured phase is
the steady state that follows, served from the shared cache of answers. At 25 pages a second
the company's 1,000 GetBill requests an hour allow about one page in a hundred to ask GetBill
at all, so a team's day is mostly the latter; the warm-up's figures say what a first look
costs.

    .venv/bin/python bench/load.py --users 50 --latency-ms 50 --seconds 20
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS  # noqa: E402
from tests.support.processes import (  # noqa: E402
    ServedProcess,
    free_port,
    gunicorn_start,
    manage,
    production_environment,
    signed_in_sessions,
    token_requests,
)

DETAIL_IDS = [
    EXAMPLES["call_deal_found"],
    EXAMPLES["postmail_pdf"],
    EXAMPLES["inbound_call"],
    EXAMPLES["email_many_opens"],
    EXAMPLES["long_notes"],
    EXAMPLES["hostile_notes"],
]

# The calls among DETAIL_IDS: their pages show the transcript, trackers and review panels.
PANEL_CALL_IDS = [EXAMPLES["call_deal_found"], EXAMPLES["inbound_call"]]

_PANELS_SCRIPT = """
from reviews.models import Scorecard
from reviews.services import CriterionSpec, scorecard_create
from tests.support.transcripts import PEAKS, SEGMENTS
from trackers.models import Tracker, TrackerResult
from transcripts.models import Transcript
greeting, _ = Tracker.objects.get_or_create(
    name="Bench greeting", defaults={{"kind": Tracker.Kind.REQUIRED, "phrases": ["this is"]}}
)
threat, _ = Tracker.objects.get_or_create(
    name="Bench threat", defaults={{"kind": Tracker.Kind.FORBIDDEN, "phrases": ["bailiff"]}}
)
if not Scorecard.objects.filter(name="Bench call quality").exists():
    scorecard = scorecard_create(
        name="Bench call quality",
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
for followup_id in {call_ids!r}:
    transcript, _ = Transcript.objects.update_or_create(
        followup_id=followup_id,
        defaults={{
            "status": Transcript.Status.DONE,
            "language": "en",
            "channels": 2,
            "duration_seconds": 80.0,
            "segments": SEGMENTS,
            "peaks": PEAKS,
        }},
    )
    TrackerResult.objects.update_or_create(
        transcript=transcript,
        tracker=greeting,
        defaults={{"found": True, "flagged": False, "at_seconds": 0.5, "phrase": "this is"}},
    )
    TrackerResult.objects.update_or_create(
        transcript=transcript, tracker=threat, defaults={{"found": False, "flagged": False}}
    )
"""


def panels_seed(environment: dict[str, str]) -> None:
    """The panels of a reviewed call for PANEL_CALL_IDS, in the served database (migrated)."""
    manage(
        environment, "shell", "--no-imports", "-c", _PANELS_SCRIPT.format(call_ids=PANEL_CALL_IDS)
    )


@dataclass
class Phase:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    seconds: float = 0.0
    # Requests that reached the sandbox's API (GetBill) during the phase.
    getbill: int = 0
    # What the browser loads right after each page (its panels, the debt card): with the page,
    # the time until the page is whole; the loads that failed with a 5xx count with the pages'.
    whole_ms: list[float] = field(default_factory=list)
    after_failures: int = 0

    def figures(self) -> dict[str, float]:
        ok = sum(1 for status in self.statuses if status < 500)
        cuts = statistics.quantiles(self.latencies_ms, n=100) if len(self.latencies_ms) > 1 else []
        p50, p95, p99 = (cuts[49], cuts[94], cuts[98]) if cuts else (0.0, 0.0, 0.0)
        return {
            "pages/s": ok / self.seconds,
            "5xx": len(self.statuses) - ok + self.after_failures,
            "p50": p50,
            "p95": p95,
            "p99": p99,
            "whole p99": statistics.quantiles(self.whole_ms, n=100)[98]
            if len(self.whole_ms) > 1
            else 0.0,
            "n": len(self.statuses),
            "getbill": self.getbill,
        }


def figures_line(label: str, figures: dict[str, float]) -> str:
    return (
        f"{label:<34} pages/s {figures['pages/s']:6.2f}  5xx {figures['5xx']:>4.0f}  "
        f"p50 {figures['p50']:6.0f} ms  p95 {figures['p95']:6.0f} ms  "
        f"p99 {figures['p99']:6.0f} ms  n={figures['n']:.0f}  GetBill {figures['getbill']:.0f}  "
        f"(with what loads after: p99 {figures['whole p99']:.0f} ms)"
    )


def run_line(label: str, run: dict[str, dict[str, float]]) -> str:
    ratio = run["detail"]["pages/s"] / run["sign-in"]["pages/s"]
    return f"{label:<34} detail/sign-in pages/s ratio {ratio:.2f}; tokens {run['tokens']['n']:.0f}"


def one_user_line(label: str, figures: dict[str, float]) -> str:
    return (
        f"{label:<34} median ms: direct GetBill GET {figures['direct']:6.1f}  "
        f"first look {figures['first']:6.1f} ({figures['first'] / figures['direct']:.2f}x)  "
        f"opened again {figures['again']:6.1f} ({figures['again'] / figures['direct']:.2f}x)  "
        f"/healthz {figures['floor']:4.1f}  "
        f"n={figures['n']:.0f}  GetBill {figures['getbill']:.0f}"
    )


def targets_print(label: str, run: dict[str, dict[str, float]]) -> None:
    """The figures the dashboard is held to, each against its target."""
    one_user = run["one user"]
    rows = [
        (
            "page opened again / direct GetBill GET",
            one_user["again"] / one_user["direct"],
            "<=",
            0.3,
        ),
        ("first look / direct GetBill GET", one_user["first"] / one_user["direct"], "<=", 1.15),
        (
            "detail pages/s / sign-in pages/s",
            run["detail"]["pages/s"] / run["sign-in"]["pages/s"],
            ">=",
            0.5,
        ),
        ("think-time load: 5xx", run["detail"]["5xx"], "<=", 0),
        ("think-time load: p99 ms", run["detail"]["p99"], "<=", 300),
    ]
    if "token workers" in run:
        rows.append(
            (
                f"token requests, {run['token workers']['workers']:.0f} workers",
                run["token workers"]["tokens"],
                "<=",
                1,
            )
        )
    for name, value, sense, target in rows:
        held = value <= target if sense == "<=" else value >= target
        print(
            f"{label:<34} target {name:<42} {value:8.2f} {sense} {target:<6g} "
            f"{'met' if held else 'MISSED'}",
            flush=True,
        )


# Followups for first looks: never opened by the load phases, answered by the sandbox.
ONE_USER_IDS = [
    record["id"]
    for record in SANDBOX_FOLLOWUPS
    if record["id"] not in DETAIL_IDS and record["id"] not in EXAMPLES.values()
]


def one_user_run(
    *, origin: str, upstream_origin: str, session: str, count: int, upstream: ServedProcess
) -> dict[str, float]:
    """One user, one request at a time, as a manager would see it: for each followup nobody
    opened yet, a direct GET of it from GetBill (the same latency, no dashboard), then its page
    in the dashboard (the first look) and the same page again right after. Also the requests
    the dashboard made to GetBill for those pages (the direct GETs left out)."""
    asked_before = getbill_requests(upstream)
    direct_gets = 0
    direct: list[float] = []
    first: list[float] = []
    again: list[float] = []
    floor: list[float] = []
    with (
        httpx.Client(base_url=upstream_origin, timeout=30) as getbill,
        httpx.Client(base_url=origin, cookies={"sessionid": session}, timeout=30) as browser,
    ):
        token = getbill.post(
            "/sandbox/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
                "scope": "followups:read",
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for followup_id in ONE_USER_IDS:
            if len(first) >= count:
                break
            started = time.perf_counter()
            answer = getbill.get(
                f"/sandbox/external-api/v1/followups/{followup_id}", headers=headers
            )
            direct_gets += 1
            direct_ms = (time.perf_counter() - started) * 1000
            if answer.status_code != 200:
                continue  # a fault the sandbox plays (slow, failing): not a followup to time
            timings = []
            for _ in range(2):
                started = time.perf_counter()
                page = browser.get(f"/followups/{followup_id}/")
                timings.append((time.perf_counter() - started) * 1000)
                # The page is shown; what the browser loads next (panels, debt card) is not timed.
                after_load(browser, page.text)
            if page.status_code != 200:
                continue
            direct.append(direct_ms)
            first.append(timings[0])
            again.append(timings[1])
            # The floor under any page: a request the server answers without a session, a
            # query or a template, timed the same way right after.
            started = time.perf_counter()
            browser.get("/healthz")
            floor.append((time.perf_counter() - started) * 1000)
    return {
        "direct": statistics.median(direct),
        "first": statistics.median(first),
        "again": statistics.median(again),
        "floor": statistics.median(floor),
        "n": len(first),
        "getbill": getbill_requests(upstream) - asked_before - direct_gets,
    }


def token_workers_run(
    *, args: argparse.Namespace, folder: Path, upstream: ServedProcess, upstream_origin: str
) -> dict[str, float]:
    """A fresh embedded default (its own SQLite file and disk cache) on `--token-workers`
    workers, twenty users opening five pages each at once: the token requests it made."""
    environment = production_environment(
        database_url=f"sqlite:///{folder / 'token-workers.sqlite3'}",
        cache_url="",
        sandbox_origin=upstream_origin,
        DJANGO_LOG_LEVEL="WARNING",
    )
    sessions: list[str | None] = list(
        signed_in_sessions(environment, count=20, prefix="load-token-workers")
    )
    dashboard = gunicorn_start(
        environment=environment,
        log_path=folder / "token-workers-dashboard.log",
        workers=args.token_workers,
        threads=args.threads,
    )
    tokens_before = token_requests(upstream)
    try:
        phase_run(
            origin=dashboard.origin,
            paths=[f"/followups/{followup_id}/" for followup_id in DETAIL_IDS],
            sessions=sessions,
            seconds=5,
            think=0.5,
            upstream=upstream,
        )
    finally:
        dashboard.stop()
    return {"workers": args.token_workers, "tokens": token_requests(upstream) - tokens_before}


_CARD_REGION = re.compile(r'hx-get="(/debts/[^"]+/card/)" hx-trigger="load"')
_PANELS_REGION = re.compile(r'hx-get="(/followups/[^"]+/panels/)"')


def after_load(client: httpx.Client, page: str) -> list[int]:
    """What a browser does right after a page, as htmx does: asks for the followup's panels
    (transcript, trackers, comments, review) and, when the page did not show it at once, for
    the debt card. Their statuses."""
    statuses = []
    for region, target in ((_PANELS_REGION, "followup-panels"), (_CARD_REGION, "debt-card")):
        found = region.search(page)
        if found is not None:
            headers = {"HX-Request": "true", "HX-Target": target}
            statuses.append(client.get(found.group(1), headers=headers).status_code)
    return statuses


def phase_run(
    *,
    origin: str,
    paths: list[str],
    sessions: list[str | None],
    seconds: float,
    think: float,
    upstream: ServedProcess,
) -> Phase:
    """Each session in its own thread: open a page, wait `think` seconds, again, until the end.

    The users' HTTP clients are made before the phase starts: making one loads the TLS
    certificates (tens of milliseconds of CPU each), and fifty made at once would be the load
    generator's own stall, measured as the server's latency.
    """
    phase = Phase(seconds=seconds)
    lock = threading.Lock()
    clients = [
        httpx.Client(base_url=origin, cookies={"sessionid": key} if key else {}, timeout=30)
        for key in sessions
    ]

    def user(n: int, client: httpx.Client) -> None:
        rng = random.Random(n)
        # Users do not all arrive in the same instant.
        time.sleep(rng.uniform(0, think))
        while time.monotonic() < end:
            started = time.perf_counter()
            after_statuses: list[int] = []
            page_ms = None
            try:
                page = client.get(rng.choice(paths))
                status = page.status_code
                # The page is shown once it has come; what it loads next is timed with it apart.
                page_ms = (time.perf_counter() - started) * 1000
                after_statuses = after_load(client, page.text)
            except httpx.TransportError:
                status = 599
            whole_ms = (time.perf_counter() - started) * 1000
            with lock:
                phase.statuses.append(status)
                phase.latencies_ms.append(whole_ms if page_ms is None else page_ms)
                phase.whole_ms.append(whole_ms)
                phase.after_failures += sum(1 for code in after_statuses if code >= 500)
            time.sleep(max(0.0, min(think, end - time.monotonic())))

    threads = [threading.Thread(target=user, args=item) for item in enumerate(clients)]
    asked_before = getbill_requests(upstream)
    end = time.monotonic() + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    for client in clients:
        client.close()
    phase.getbill = getbill_requests(upstream) - asked_before
    return phase


def getbill_requests(upstream: ServedProcess) -> int:
    """API requests the sandbox process answered so far, counted in its access log."""
    return sum(
        1 for line in upstream.log_text().splitlines() if '"GET /sandbox/external-api/' in line
    )


def setup_run(
    *, name: str, database_url: str, cache_url: str, args: argparse.Namespace, folder: Path
) -> dict[str, dict[str, float]]:
    """One run on one setup: the sign-in phase, then the detail phase, on fresh servers."""
    folder = Path(tempfile.mkdtemp(dir=folder))
    upstream_port = free_port()
    upstream_origin = f"http://127.0.0.1:{upstream_port}"
    upstream = gunicorn_start(
        environment=production_environment(
            database_url=f"sqlite:///{folder / f'{name}-upstream.sqlite3'}",
            cache_url="locmemcache://",
            sandbox_origin=upstream_origin,
            BENCH_UPSTREAM_LATENCY_MS=str(args.latency_ms),
            DJANGO_LOG_LEVEL="WARNING",
            # Its access log counts each phase's GetBill requests as the phase ends.
            PYTHONUNBUFFERED="1",
        ),
        log_path=folder / f"{name}-upstream.log",
        workers=1,
        threads=64,
        port=upstream_port,
        app="bench.slow_upstream:application",
    )
    dashboard: ServedProcess | None = None
    try:
        if cache_url.startswith("redis"):
            import redis

            redis.Redis.from_url(cache_url).flushdb()
        environment = production_environment(
            database_url=database_url,
            cache_url=cache_url,
            sandbox_origin=upstream_origin,
            DJANGO_LOG_LEVEL="WARNING",
        )
        sessions: list[str | None] = list(
            signed_in_sessions(environment, count=args.users, prefix=f"load-{name}")
        )
        panels_seed(environment)
        dashboard = gunicorn_start(
            environment=environment,
            log_path=folder / f"{name}-dashboard.log",
            workers=args.workers,
            threads=args.threads,
        )
        sign_in = phase_run(
            origin=dashboard.origin,
            paths=["/accounts/login/"],
            sessions=[None] * args.users,
            seconds=args.seconds,
            think=args.think,
            upstream=upstream,
        )
        run = {"sign-in": sign_in.figures()}
        print(figures_line(f"{name}: sign-in", run["sign-in"]), flush=True)
        run["one user"] = one_user_run(
            origin=dashboard.origin,
            upstream_origin=upstream_origin,
            session=str(sessions[0]),
            count=args.one_user,
            upstream=upstream,
        )
        print(one_user_line(f"{name}: one user", run["one user"]), flush=True)
        detail_paths = [f"/followups/{followup_id}/" for followup_id in DETAIL_IDS]
        if args.warm_up:
            # Each worker's first look at a followup asks GetBill for it (the debt card loads
            # after the page) and renders templates for the first time; the
            # measured phase is the steady state that follows, as a team's day is.
            warm_up = phase_run(
                origin=dashboard.origin,
                paths=detail_paths,
                sessions=sessions,
                seconds=args.warm_up,
                think=args.think,
                upstream=upstream,
            )
            run["warm-up"] = warm_up.figures()
            print(figures_line(f"{name}: warm-up", run["warm-up"]), flush=True)
        detail = phase_run(
            origin=dashboard.origin,
            paths=detail_paths,
            sessions=sessions,
            seconds=args.seconds,
            think=args.think,
            upstream=upstream,
        )
        run["detail"] = detail.figures()
        # The direct GETs' own token is not the dashboard's.
        run["tokens"] = {"n": token_requests(upstream) - 1}
        print(figures_line(f"{name}: detail", run["detail"]), flush=True)
        print(run_line(name, run), flush=True)
        dashboard.stop()
        dashboard = None
        if args.token_workers and not cache_url:
            run["token workers"] = token_workers_run(
                args=args, folder=folder, upstream=upstream, upstream_origin=upstream_origin
            )
        targets_print(name, run)
        return run
    finally:
        if dashboard is not None:
            dashboard.stop()
        upstream.stop()


def medians_print(name: str, runs: list[dict[str, dict[str, float]]]) -> None:
    """Each figure's median over the runs (one run: its own figures)."""
    median = {
        phase: {key: statistics.median(run[phase][key] for run in runs) for key in runs[0][phase]}
        for phase in runs[0]
    }
    label = f"{name} (median of {len(runs)})"
    print(figures_line(f"{label}: sign-in", median["sign-in"]))
    if "warm-up" in median:
        print(figures_line(f"{label}: warm-up", median["warm-up"]))
    print(figures_line(f"{label}: detail", median["detail"]))
    print(one_user_line(f"{label}: one user", median["one user"]))
    ratios = [run["detail"]["pages/s"] / run["sign-in"]["pages/s"] for run in runs]
    tokens = max(run["tokens"]["n"] for run in runs)
    print(
        f"{label:<34} detail/sign-in pages/s ratio {statistics.median(ratios):.2f}; "
        f"tokens at most {tokens:.0f} a run",
        flush=True,
    )
    targets_print(label, median)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    # The targets are set against GetBill 50 ms away.
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between pages")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--repeat", type=int, default=1, help="runs per setup, for medians")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=5.0,
        help="seconds of detail pages before the measured phase, shown apart (0: none)",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--one-user",
        type=int,
        default=20,
        help="followups a single user opens one at a time (first look, then again)",
    )
    parser.add_argument(
        "--token-workers",
        type=int,
        default=4,
        help="workers of a fresh embedded default counted for token requests (0: skip)",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL", ""))
    args = parser.parse_args()
    print(
        f"{args.users} users, a page every {args.think:g} s, GetBill latency {args.latency_ms} ms, "
        f"gunicorn {args.workers} workers x {args.threads} threads, {args.seconds:g} s a phase; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    # The embedded default: CACHE_URL unset, so the workers share the disk cache.
    setups = [("embedded default", "", "")]
    if args.database_url.startswith("postgres") and args.cache_url.startswith("redis"):
        setups.append(("postgres + redis", args.database_url, args.cache_url))
    else:
        print("postgres + redis: skipped (give --database-url and --cache-url)")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        results: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name, _, _ in setups}
        for _ in range(args.repeat):
            for name, database_url, cache_url in setups:
                results[name].append(
                    setup_run(
                        name=name,
                        database_url=database_url
                        or f"sqlite:///{tempfile.mkdtemp(dir=folder)}/dashboard.sqlite3",
                        cache_url=cache_url,
                        args=args,
                        folder=folder,
                    )
                )
        if args.repeat > 1:
            print()
            for name, runs in results.items():
                medians_print(name, runs)


if __name__ == "__main__":
    main()
