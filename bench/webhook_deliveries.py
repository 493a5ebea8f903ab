"""Webhook benchmark: 1,000 of GetBill's deliveries in a burst, on the embedded default.

Serves the dashboard as `make serve` does (gunicorn.conf.py, 2 workers of 8 threads, SQLite
and the shared disk cache in a temporary folder, GetBill never asked) and POSTs real signed
deliveries to `/webhooks/getbill/` as fast as a bounded number of connections allows: whole
followups (kept as answers), partial updates (kept answers dropped), payments (the debt's card
dropped), and a share of them a second time while the first may still be handled (GetBill's
retries). Prints the throughput, p50/p99 per delivery, the statuses (5xx counted), and checks
the rows against what was sent: nothing lost (a row per distinct body, each handled), nothing
done twice (every repeat recognised, counted on its row, answered "Received before.").

Run with `.venv/bin/python bench/webhook_deliveries.py [--deliveries 1000] [--concurrency 32]
[--repeats 0.1]`.
"""

import argparse
import hashlib
import hmac
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.processes import (  # noqa: E402
    gunicorn_start,
    manage,
    production_environment,
)

SECRET = "bench-webhook-secret-0123456789"  # noqa: S105 - a benchmark's own


def bodies_make(count: int) -> list[bytes]:
    """`count` distinct events, a third of each kind."""
    bodies = []
    for n in range(count):
        followup_id, debt_id = f"fu{n:010d}", f"debt{n % 97:08d}"
        kind = n % 3
        if kind == 0:
            event = {
                "type": "followup.updated",
                "data": {
                    "id": followup_id,
                    "debt_id": debt_id,
                    "status": "no_answer",
                    "type": "call",
                    "call_date": "2026-12-07T10:30:00+00:00",
                    "duration_ms": 61000,
                    "summary": "Voicemail",
                },
            }
        elif kind == 1:
            event = {"type": "followup.updated", "data": {"id": followup_id, "debt_id": debt_id}}
        else:
            event = {"type": "payment.received", "data": {"id": f"p{n}", "debt_id": debt_id}}
        bodies.append(json.dumps(event).encode())
    return bodies


def deliveries_plan(*, deliveries: int, repeat_share: float) -> tuple[list[bytes], int]:
    """The bodies in the order they are sent, and how many are distinct: each repeat follows
    its first delivery a few places later, so the two race in the server."""
    repeats = int(deliveries * repeat_share)
    distinct = bodies_make(deliveries - repeats)
    sent = list(distinct)
    for n in range(repeats):
        original = distinct[n * len(distinct) // max(1, repeats)]
        sent.insert(sent.index(original) + 3, original)
    return sent, len(distinct)


def deliver(client: httpx.Client, url: str, body: bytes) -> tuple[float, int, str]:
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    start = time.perf_counter()
    try:
        response = client.post(
            url,
            content=body,
            headers={"Content-Type": "application/json", "X-GetBill-Signature": signature},
        )
    except httpx.HTTPError as error:
        return time.perf_counter() - start, 0, type(error).__name__
    return time.perf_counter() - start, response.status_code, response.text


def rows_read(database: Path) -> tuple[int, Counter[str], int]:
    with sqlite3.connect(database) as connection:
        outcomes = Counter(
            dict(
                connection.execute(
                    "SELECT outcome, COUNT(*) FROM webhooks_webhookdelivery GROUP BY outcome"
                ).fetchall()
            )
        )
        repeats = connection.execute(
            "SELECT COALESCE(SUM(repeats), 0) FROM webhooks_webhookdelivery"
        ).fetchone()[0]
    return sum(outcomes.values()), outcomes, repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeats", type=float, default=0.1, help="share sent twice")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    database = folder / "db.sqlite3"
    environment = production_environment(
        database_url=f"sqlite:///{database}",
        cache_url="",  # the embedded default: the shared disk cache beside the database
        sandbox_origin="http://127.0.0.1:9",  # GetBill is never asked
        GETBILL_WEBHOOK_SECRET=SECRET,
        DJANGO_LOG_LEVEL="WARNING",
    )
    manage(environment, "migrate", "--noinput", "--verbosity", "0")
    server = gunicorn_start(
        environment=environment,
        log_path=folder / "gunicorn.log",
        workers=args.workers,
        threads=args.threads,
    )
    sent, distinct = deliveries_plan(deliveries=args.deliveries, repeat_share=args.repeats)
    url = f"{server.origin}/webhooks/getbill/"
    try:
        limits = httpx.Limits(max_connections=args.concurrency)
        with (
            httpx.Client(limits=limits, timeout=30) as client,
            ThreadPoolExecutor(args.concurrency) as pool,
        ):
            start = time.perf_counter()
            results = list(pool.map(lambda body: deliver(client, url, body), sent))
            elapsed = time.perf_counter() - start
    finally:
        server.stop()
    log = server.log_text()

    ms = sorted(seconds * 1000 for seconds, _, _ in results)
    statuses = Counter(status for _, status, _ in results)
    answers = Counter(text for _, status, text in results if status == 200)
    rows, outcomes, repeats = rows_read(database)
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, SQLite + shared disk cache; "
        f"{len(sent)} signed deliveries ({distinct} distinct, {len(sent) - distinct} sent "
        f"twice), {args.concurrency} at a time"
    )
    print(
        f"{len(sent) / elapsed:.0f} deliveries/s ({elapsed:.2f} s in all)  "
        f"p50 {statistics.median(ms):.1f} ms  p99 {ms[int(len(ms) * 0.99) - 1]:.1f} ms  "
        f"max {ms[-1]:.1f} ms"
    )
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    print(f"statuses {dict(sorted(statuses.items()))}; 5xx or no answer: {server_errors}")
    print(f"answers {dict(answers)}; rows {rows}, outcomes {dict(outcomes)}, repeats {repeats}")
    lost = distinct - rows + outcomes.get("received", 0)
    twice = answers.get("Received.", 0) - distinct
    print(
        f"lost (no row, or never handled): {lost}; handled twice: {max(0, twice)}; "
        f"repeats recognised: {repeats} of {len(sent) - distinct}; "
        f"tracebacks in the server's log: {log.count('Traceback')}"
    )


if __name__ == "__main__":
    main()
