"""Webhook benchmark: how long the dashboard takes to answer GetBill's deliveries.

Drives `POST /webhooks/getbill/` through Django's test client (the whole middleware stack) on
the embedded sandbox's settings, with real signed bodies: whole followups (kept as answers),
partial updates (kept answers dropped), debt events, then every one of them delivered again
(recognised and not handled twice). Prints the time per delivery and the outcomes; asserts
nothing. GetBill wants its answer within 10 seconds.

Run with `.venv/bin/python bench/webhook_deliveries.py [deliveries]` (default 1,000).
"""

import hashlib
import hmac
import json
import statistics
import sys
import time
from collections import Counter

from harness import django_ready

SECRET = "bench-webhook-secret-0123456789"  # noqa: S105 - a benchmark's own
django_ready(DJANGO_LOG_LEVEL="ERROR", GETBILL_WEBHOOK_SECRET=SECRET)

from django.test import Client  # noqa: E402

from sandbox.data import EXAMPLES  # noqa: E402, F401 - the sandbox's app is loaded
from webhooks.models import WebhookDelivery  # noqa: E402


def _bodies(count: int) -> list[bytes]:
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


def _deliver(client: Client, bodies: list[bytes]) -> tuple[list[float], Counter[int]]:
    times, statuses = [], Counter[int]()
    for body in bodies:
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        start = time.perf_counter()
        response = client.post(
            "/webhooks/getbill/",
            data=body,
            content_type="application/json",
            headers={"X-GetBill-Signature": signature},
            secure=True,
        )
        times.append(time.perf_counter() - start)
        statuses[response.status_code] += 1
    return times, statuses


def _report(label: str, times: list[float], statuses: Counter[int]) -> None:
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{label:<28} {len(ms):>6} deliveries in {sum(times):6.2f} s "
        f"({len(ms) / sum(times):7.0f}/s)  p50 {statistics.median(ms):5.2f} ms  "
        f"p99 {p99:5.2f} ms  max {ms[-1]:6.2f} ms  statuses {dict(statuses)}"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    client = Client()
    bodies = _bodies(count)
    _report("first delivery", *_deliver(client, bodies))
    _report("the same, delivered again", *_deliver(client, bodies))
    outcomes = Counter(WebhookDelivery.objects.values_list("outcome", flat=True))
    repeats = sum(WebhookDelivery.objects.values_list("repeats", flat=True))
    print(f"rows {WebhookDelivery.objects.count()}, outcomes {dict(outcomes)}, repeats {repeats}")


if __name__ == "__main__":
    main()
