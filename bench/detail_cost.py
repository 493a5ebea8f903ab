"""What a warm followup page costs the dashboard itself: one signed-in Collections manager
opens a followup GetBill already answered, through Django's test client, in one process on the
embedded default (a SQLite file, the shared disk cache beside it). Prints the median time, the
SQL statements and the cache calls of one page (each listed), and the page's size;
`--profile` adds pyinstrument's profile of the pages (`pip install pyinstrument`; not a
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

from sandbox.data import EXAMPLES  # noqa: E402
from sandbox.origin import sandbox_origin_set  # noqa: E402
from sandbox.serve import sandbox_serve_in_thread  # noqa: E402

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


def run(*, profile: bool) -> None:
    user = get_user_model().objects.create_user(username="detail-cost")
    user.groups.add(Group.objects.get(name="Collections managers"))
    browser = Client()
    browser.force_login(user)
    url = f"/followups/{EXAMPLES['call_deal_found']}/"

    def page() -> int:
        response = browser.get(url, secure=True)
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
    statements: list[str] = []

    def statement_record(execute: Any, sql: str, *args: Any) -> Any:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(statement_record), CacheCalls() as cache_calls:
        size = page()
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        page()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"Python {sys.version.split()[0]}; cache {settings.CACHES['default']['BACKEND']}")
    print(
        f"warm followup page: median {statistics.median(samples):.2f} ms, "
        f"p95 {statistics.quantiles(samples, n=20)[-1]:.2f} ms, n={ROUNDS}, {size / 1024:.1f} KiB"
    )
    print(f"SQL statements: {len(statements)}")
    for sql in statements:
        print(f"  {sql[:160]}")
    print(f"cache calls: {sum(cache_calls.calls.values())}")
    for call, count in sorted(cache_calls.calls.items()):
        print(f"  {count:3d} x {call}")
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        for _ in range(100):
            page()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
