"""The two candidates for the embedded default's shared cache, side by side: diskcache's Django
backend (as `dashboard.disk_cache.SharedDiskCache`) and Django's database cache on a SQLite
file of its own (WAL, immediate transactions, as the app's database runs).

Prints, for each: the median time of get/set/add/incr in one process; four processes at once
(a page's mix of reads and writes: operations per second, p50/p99); four processes racing to
`add` the same keys (each key must have exactly one winner); and `add` of a free key while
another process holds the write lock longer than the busy timeout (the right answer is True,
once the lock is free: False is a "taken" that is not). Asserts nothing.

    .venv/bin/python bench/cache_backends.py
"""

import multiprocessing
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCESSES = 4
ROUNDS = 2000
RACE_KEYS = 300
# The database cache's busy timeout in the lock test (the app's database waits 10 s; any value
# gives the same answer once a lock is held longer).
LOCK_TIMEOUT_SECONDS = 0.2
LOCK_HELD_SECONDS = 0.5
VALUE = {"followup": "x" * 2000, "fetched_at": 1.0}  # a kept answer: about 2 KB


class CacheRouter:
    """The database cache's table lives in the `cache` database, nothing else does."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return "cache" if model._meta.app_label == "django_cache" else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "cache" if app_label == "django_cache" else db != "cache"


def django_configure(folder: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
            "cache": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(folder / "cache.sqlite3"),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "timeout": LOCK_TIMEOUT_SECONDS,
                    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
                },
            },
        },
        DATABASE_ROUTERS=[f"{__name__}.CacheRouter"],
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "diskcache": {
                "BACKEND": "dashboard.disk_cache.SharedDiskCache",
                "LOCATION": str(folder / "diskcache"),
                "DATABASE_TIMEOUT": 0.010,
                "SHARDS": 8,
            },
            "database": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "dashboard_cache",
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
        },
        USE_TZ=True,
    )
    django.setup()


def timed_us(fn: Any, rounds: int) -> float:
    samples = []
    for n in range(rounds):
        start = time.perf_counter()
        fn(n)
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def single_process(alias: str) -> None:
    from django.core.cache import caches

    cache = caches[alias]
    prefix = f"single-{time.time_ns()}"
    cache.set(f"{prefix}:hit", VALUE, timeout=600)
    figures = {
        "get hit": timed_us(lambda n: cache.get(f"{prefix}:hit"), ROUNDS),
        "get miss": timed_us(lambda n: cache.get(f"{prefix}:miss:{n}"), ROUNDS),
        "set": timed_us(lambda n: cache.set(f"{prefix}:set:{n % 50}", VALUE, 600), ROUNDS),
        "add free": timed_us(lambda n: cache.add(f"{prefix}:add:{n}", 1, 600), ROUNDS),
        "add taken": timed_us(lambda n: cache.add(f"{prefix}:hit", 1, 600), ROUNDS),
    }
    cache.set(f"{prefix}:count", 0, timeout=600)
    figures["incr"] = timed_us(lambda n: cache.incr(f"{prefix}:count"), ROUNDS)
    print(
        f"{alias:<10} one process, median µs: "
        + "  ".join(f"{name} {value:7.0f}" for name, value in figures.items()),
        flush=True,
    )


def _mix_worker(alias: str, start_at: float, seed: int, out: Any) -> None:
    """A page's mix: 4 reads, 1 write, 1 add-and-delete (a flight's lock) in 6 operations."""
    from django.core.cache import caches

    cache = caches[alias]
    latencies = []
    errors = 0
    time.sleep(max(0.0, start_at - time.time()))
    for n in range(ROUNDS):
        key = f"mix:{(seed * 7919 + n) % 200}"
        start = time.perf_counter()
        try:
            step = n % 6
            if step < 4:
                cache.get(key)
            elif step == 4:
                cache.set(key, VALUE, 600)
            elif cache.add(f"{key}:flight", seed, 30):
                cache.delete(f"{key}:flight")
        except Exception:
            errors += 1
        latencies.append((time.perf_counter() - start) * 1000)
    out.put((latencies, errors))


def contention(alias: str) -> None:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start_at = time.time() + 2
    workers = [
        context.Process(target=_worker_main, args=(_mix_worker, alias, start_at, n, out))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    latencies = [ms for result, _ in results for ms in result]
    errors = sum(count for _, count in results)
    elapsed = max(sum(result) for result, _ in results) / 1000
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{alias:<10} {PROCESSES} processes at once: {len(latencies) / elapsed:8.0f} ops/s  "
        f"p50 {cuts[49]:6.2f} ms  p99 {cuts[98]:6.2f} ms  errors {errors}",
        flush=True,
    )


def _race_worker(alias: str, start_at: float, seed: int, out: Any) -> None:
    from django.core.cache import caches

    cache = caches[alias]
    time.sleep(max(0.0, start_at - time.time()))
    won = [key for key in range(RACE_KEYS) if cache.add(f"race:{start_at}:{key}", seed, 60)]
    out.put(won)


def add_race(alias: str) -> None:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start_at = time.time() + 2
    workers = [
        context.Process(target=_worker_main, args=(_race_worker, alias, start_at, n, out))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    wins = [out.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    winners = [sum(key in won for won in wins) for key in range(RACE_KEYS)]
    print(
        f"{alias:<10} {PROCESSES} processes add the same {RACE_KEYS} keys: "
        f"one winner {winners.count(1)}, none (a false 'taken') {winners.count(0)}, "
        f"several {sum(1 for count in winners if count > 1)}",
        flush=True,
    )


def _lock_holder(paths: list[str], held: Any, seconds: float) -> None:
    connections = [sqlite3.connect(path, isolation_level=None) for path in paths]
    for connection in connections:
        connection.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    for connection in connections:
        connection.execute("COMMIT")


def add_under_lock(alias: str, folder: Path) -> None:
    from django.core.cache import caches

    cache = caches[alias]
    cache.set("warm", 1)  # every file exists
    if alias == "diskcache":
        paths = [str(path) for path in (folder / "diskcache").glob("*/cache.db")]
    else:
        paths = [str(folder / "cache.sqlite3")]
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    holder = context.Process(target=_lock_holder, args=(paths, held, LOCK_HELD_SECONDS))
    holder.start()
    held.wait(timeout=30)
    start = time.perf_counter()
    answer = cache.add(f"free-{time.time_ns()}", 1, 60)
    waited = (time.perf_counter() - start) * 1000
    holder.join(timeout=30)
    print(
        f"{alias:<10} add of a free key while another process holds the lock "
        f"{LOCK_HELD_SECONDS * 1000:.0f} ms: {answer} after {waited:.0f} ms"
        + ("" if answer else "  <- reads as 'taken'"),
        flush=True,
    )


def _worker_main(target: Any, alias: str, start_at: float, seed: int, out: Any) -> None:
    django_configure(Path(os.environ["BENCH_CACHE_FOLDER"]))
    target(alias, start_at, seed, out)


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        os.environ["BENCH_CACHE_FOLDER"] = str(folder)
        django_configure(folder)
        from django.core.management import call_command

        call_command("createcachetable", database="cache", verbosity=0)
        print(
            f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; values of about 2 KB",
            flush=True,
        )
        for alias in ("diskcache", "database"):
            single_process(alias)
            contention(alias)
            add_race(alias)
            add_under_lock(alias, folder)
        threading.Event().wait(0)  # nothing left running


if __name__ == "__main__":
    main()
