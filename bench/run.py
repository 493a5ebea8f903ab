"""Benchmarks: how long a lookup takes through the real client and pages, and what it costs.

Runs against the embedded sandbox on a loopback port (the production client code path) and
prints figures; it asserts nothing. Run with `make bench`.
"""

import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

from harness import django_ready

# The benchmark is one user making hundreds of lookups a minute on purpose.
django_ready(DASHBOARD_GETBILL_REQUESTS_PER_HOUR="1000000")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

from followups import getbill  # noqa: E402
from sandbox.data import EXAMPLES  # noqa: E402
from sandbox.origin import sandbox_origin_set  # noqa: E402
from sandbox.serve import sandbox_serve_in_thread  # noqa: E402

ROUNDS = 200


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def line(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)
    print(f"{name:<52} median {median:8.2f} ms   p95 {p95:8.2f} ms   n={len(samples)}")
    return median


def main() -> None:
    settings.SANDBOX_RATE_LIMIT = 100_000
    origin, stop = sandbox_serve_in_thread()
    sandbox_origin_set(origin=origin)
    try:
        run(origin)
    finally:
        stop()


def run(origin: str) -> None:
    followup_id = EXAMPLES["call_deal_found"]
    big_debt = EXAMPLES["big_debt"]
    print(f"Sandbox on {origin}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs\n")

    first = timed(lambda: getbill.followup_get(followup_id=followup_id), 1)[0]
    print(f"{'client: first lookup of the process (cold)':<52} {first:8.2f} ms")

    def lookup_with_new_token() -> None:
        cache.clear()  # drops the shared token, so this lookup signs in first
        getbill.followup_get(followup_id=followup_id)

    with_token = line("client: lookup with a token request", timed(lookup_with_new_token, 20))
    warm = line(
        "client: lookup with cached token",
        timed(lambda: getbill.followup_get(followup_id=followup_id), ROUNDS),
    )
    print(f"{'token reuse saves':<52} ratio {with_token / warm:8.2f}x")
    debt_page = line(
        "client: one debt page of 100 followups",
        timed(lambda: getbill.debt_followups_get(debt_id=big_debt, limit=100), ROUNDS // 4),
    )

    user = get_user_model().objects.create_user(username="bench", password="unused-bench-pw")  # noqa: S106
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="followups"))
    browser = Client()
    browser.force_login(user)
    detail_url = f"/followups/{followup_id}/"

    def detail_page() -> None:
        response = browser.get(detail_url, secure=True)
        assert response.status_code == 200, response.status_code

    page = line("page: followup detail (lookup + render)", timed(detail_page, ROUNDS))
    print(f"{'rendering and app overhead over the bare lookup':<52} ratio {page / warm:8.2f}x")

    def debt_full_page() -> None:
        response = browser.get(f"/debts/{big_debt}/followups/", secure=True)
        assert response.status_code == 200, response.status_code

    line("page: debt timeline, 140 followups (2 upstream pages)", timed(debt_full_page, 40))
    print(f"{'debt page of 100 vs single lookup':<52} ratio {debt_page / warm:8.2f}x")

    def list_page() -> None:
        response = browser.get("/followups/", {"type": "call", "page": "1"}, secure=True)
        assert response.status_code == 200, response.status_code

    listed = line("page: followups list, 25 rows (1 upstream page)", timed(list_page, ROUNDS // 2))
    print(f"{'list page vs single lookup':<52} ratio {listed / warm:8.2f}x")

    def queue_part() -> None:
        response = browser.get("/queue/", secure=True)
        assert response.status_code == 200, response.status_code

    line("page: review queue part (1 upstream page per type)", timed(queue_part, ROUNDS // 4))

    tracemalloc.start()
    getbill.debt_followups_get(debt_id=big_debt, limit=100)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'memory: peak while fetching 100 followups':<52} {peak / 1024:8.0f} KiB")


if __name__ == "__main__":
    main()
