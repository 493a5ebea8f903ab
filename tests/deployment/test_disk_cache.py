"""The embedded default's cache: chosen when CACHE_URL is unset, kept beside the SQLite
database, shared by every process of the machine, with an `add` that says "taken" only when
the key is there (never because another process held the lock for a while)."""

import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

from dashboard.disk_cache import SharedDiskCache
from tests.support.processes import clean_environment
from tests.support.start_up import ROOT, python_run

# The cache itself is made (its folder created) only when asked: `probe.py made`.
_SETTINGS_PROBE = """
import sys
import django
django.setup()
from django.conf import settings
from django.core.cache import caches
print(settings.CACHES["default"]["BACKEND"])
print(settings.CACHES["default"].get("LOCATION", ""))
print(type(caches["default"]).__name__ if sys.argv[1:] == ["made"] else "not made")
"""


def _environment(folder: Path, **extra: str) -> dict[str, str]:
    """Production settings on a SQLite database in `folder`, CACHE_URL unset unless given."""
    return {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "disk-cache-test-only-secret-key-0123456789-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GETBILL_SANDBOX": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'dashboard.sqlite3'}",
        **extra,
    }


def _cache_settings(environment: dict[str, str], *args: str) -> list[str]:
    result = python_run("-c", _SETTINGS_PROBE, *args, env=environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_without_cache_url_the_cache_is_the_shared_disk_cache_beside_the_database(tmp_path):
    backend, location, loaded = _cache_settings(_environment(tmp_path), "made")
    assert backend == "dashboard.disk_cache.SharedDiskCache"
    assert location == str(tmp_path / "dashboard.sqlite3-cache")
    assert loaded == SharedDiskCache.__name__
    assert (tmp_path / "dashboard.sqlite3-cache").is_dir()


def test_an_empty_cache_url_counts_as_unset(tmp_path):
    backend, _, _ = _cache_settings(_environment(tmp_path, CACHE_URL=""))
    assert backend == "dashboard.disk_cache.SharedDiskCache"


def test_a_cache_url_still_wins(tmp_path):
    backend, _, _ = _cache_settings(_environment(tmp_path, CACHE_URL="redis://127.0.0.1:9/0"))
    assert backend == "dashboard.redis_cache.PooledClientRedisCache"
    backend, _, _ = _cache_settings(_environment(tmp_path, CACHE_URL="locmemcache://"))
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert not (tmp_path / "dashboard.sqlite3-cache").exists()


def test_on_another_database_the_cache_folder_is_beside_manage_py(tmp_path):
    environment = _environment(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:9/none")
    _, location, _ = _cache_settings(environment)
    assert location == str(ROOT / "cache")


def test_the_folder_is_the_dashboard_users_alone(tmp_path):
    folder = tmp_path / "cache"
    SharedDiskCache(str(folder), {}).set("k", "v")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def _shard_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/cache.db"))


def test_add_waits_for_a_lock_held_longer_than_the_busy_timeout_instead_of_saying_taken(
    tmp_path,
):
    """Another process's transaction holds every file's write lock for much longer than
    SQLite's busy timeout (10 ms): `add` of a free key waits its turn and takes it."""
    folder = tmp_path / "cache"
    cache = SharedDiskCache(str(folder), {"DATABASE_TIMEOUT": 0.010})
    cache.set("warm", 1)  # creates every shard's file
    holders = [
        sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for path in _shard_files(folder)
    ]
    assert holders
    for holder in holders:
        holder.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(0.3)
        released.set()
        for holder in holders:
            holder.execute("COMMIT")
            holder.close()

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        taken = cache.add("lock", "mine", timeout=30)
    finally:
        releaser.join()
    assert released.is_set()
    assert taken is True
    assert cache.get("lock") == "mine"
    assert cache.add("lock", "another", timeout=30) is False


_ADDER = """
import sys, time
import django
django.setup()
from django.core.cache import cache
start_at, name, keys = float(sys.argv[1]), sys.argv[2], int(sys.argv[3])
time.sleep(max(0.0, start_at - time.time()))
won = [key for key in range(keys) if cache.add(f"race:{key}", name, timeout=60)]
print(" ".join(str(key) for key in won))
"""


def test_two_processes_adding_the_same_keys_at_once_each_key_has_one_winner(tmp_path):
    environment = _environment(tmp_path)
    keys = 200
    start_at = str(time.time() + 3)  # both set up by then
    adders = [
        subprocess.Popen(  # noqa: S603 - the tests' own command
            [sys.executable, "-c", _ADDER, start_at, name, str(keys)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    outputs = [adder.communicate(timeout=120) for adder in adders]
    assert [adder.returncode for adder in adders] == [0, 0], outputs
    won = [{int(key) for key in out.split()} for out, _ in outputs]
    # Every key taken exactly once: never by both, never by neither ("taken" when it was not).
    assert won[0] & won[1] == set()
    assert won[0] | won[1] == set(range(keys))
    folder = tmp_path / "dashboard.sqlite3-cache"
    cache = SharedDiskCache(str(folder), {})
    winners = {key: cache.get(f"race:{key}") for key in range(keys)}
    assert winners == {key: "first" if key in won[0] else "second" for key in range(keys)}


def test_delete_many_deletes_every_key_of_every_file_and_leaves_the_others(tmp_path):
    cache = SharedDiskCache(str(tmp_path / "cache"), {"SHARDS": 4})
    keys = [f"debt-page-{n}" for n in range(40)]
    cache.set_many({key: n for n, key in enumerate(keys)})
    cache.set("kept", "still here")
    cache.delete_many([*keys[:30], "never-set"])
    assert cache.get_many(keys) == {key: n for n, key in enumerate(keys) if n >= 30}
    assert cache.get("kept") == "still here"
    cache.delete_many([])
    assert cache.get("kept") == "still here"
