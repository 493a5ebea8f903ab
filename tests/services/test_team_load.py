"""Several gunicorn workers, as production runs: a team of users at once without a 5xx and on
one shared GetBill token, on the embedded default (SQLite, the shared disk cache) and on
PostgreSQL and Redis; and a Redis or PostgreSQL restart in the middle of a run."""

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis

from sandbox.data import EXAMPLES
from tests.support.processes import (
    ServedProcess,
    TcpRelay,
    free_port,
    gunicorn_start,
    production_environment,
    signed_in_sessions,
    token_requests,
)

LOOKUP_IDS = [
    EXAMPLES["call_deal_found"],
    EXAMPLES["postmail_pdf"],
    EXAMPLES["inbound_call"],
    EXAMPLES["email_many_opens"],
    EXAMPLES["long_notes"],
]


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[ServedProcess]:
    """The sandbox in a process of its own: its token count holds for every worker."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    environment = production_environment(
        database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        cache_url="locmemcache://",
        sandbox_origin=origin,
    )
    served = gunicorn_start(
        environment=environment,
        log_path=tmp_path / "sandbox.log",
        workers=1,
        threads=16,
        port=port,
    )
    yield served
    served.stop()


def _lookups(origin: str, session_key: str, ids: list[str]) -> list[int]:
    statuses = []
    with httpx.Client(base_url=origin, cookies={"sessionid": session_key}, timeout=30) as client:
        for followup_id in ids:
            try:
                statuses.append(client.get(f"/followups/{followup_id}/").status_code)
            except httpx.TransportError:
                statuses.append(599)
    return statuses


def _crowd(origin: str, sessions: list[str], *, lookups_each: int) -> list[int]:
    """Every user's lookups at once, one thread per user; the status of each."""
    results: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(sessions))

    def user(n: int, session_key: str) -> None:
        ids = [LOOKUP_IDS[(n + k) % len(LOOKUP_IDS)] for k in range(lookups_each)]
        start.wait(timeout=30)
        statuses = _lookups(origin, session_key, ids)
        with lock:
            results.extend(statuses)

    threads = [threading.Thread(target=user, args=item) for item in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _twenty_users_on_four_workers(
    *, environment: dict[str, str], tmp_path: Path, sandbox_process: ServedProcess
) -> None:
    sessions = signed_in_sessions(environment, count=20, prefix="crowd")
    dashboard = gunicorn_start(
        environment=environment, log_path=tmp_path / "dashboard.log", workers=4, threads=8
    )
    try:
        statuses = _crowd(dashboard.origin, sessions, lookups_each=10)
    finally:
        dashboard.stop()
    assert len(statuses) == 200
    assert [status for status in statuses if status >= 500] == []
    assert set(statuses) == {200}
    assert token_requests(sandbox_process) == 1


def test_twenty_users_on_four_workers_of_the_embedded_default_make_200_lookups_on_one_token(
    tmp_path: Path, sandbox_process: ServedProcess
):
    """No CACHE_URL: the four workers share the disk cache beside the SQLite database."""
    environment = production_environment(
        database_url=f"sqlite:///{tmp_path / 'dashboard.sqlite3'}",
        cache_url="",
        sandbox_origin=sandbox_process.origin,
    )
    _twenty_users_on_four_workers(
        environment=environment, tmp_path=tmp_path, sandbox_process=sandbox_process
    )


@pytest.mark.services
def test_twenty_users_on_four_workers_make_200_lookups_on_one_token(
    tmp_path: Path, sandbox_process: ServedProcess
):
    cache_url = os.environ["CACHE_URL"]
    redis.Redis.from_url(cache_url).flushdb()  # no token left by an earlier run
    environment = production_environment(
        database_url=os.environ["DATABASE_URL"],
        cache_url=cache_url,
        sandbox_origin=sandbox_process.origin,
    )
    _twenty_users_on_four_workers(
        environment=environment, tmp_path=tmp_path, sandbox_process=sandbox_process
    )


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, "RedisServer"]]:
    server = RedisServer(port=free_port(), folder=tmp_path / "redis")
    server.start()
    yield f"redis://127.0.0.1:{server.port}/0", server
    server.stop()


class RedisServer:
    """A redis-server of the test's own on loopback, to stop and start again."""

    def __init__(self, *, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(exist_ok=True)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            [
                *(binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Restart:
    before: list[int]
    during: list[int]
    down_page: httpx.Response
    not_ready: httpx.Response
    after: list[int]
    ready: httpx.Response


def _restart_run(
    *,
    environment: dict[str, str],
    tmp_path: Path,
    take_away: Callable[[], None],
    bring_back: Callable[[], None],
) -> Restart:
    """Four users' lookups on two workers before, while and after a service is away."""
    sessions = signed_in_sessions(environment, count=4, prefix=f"restart-{tmp_path.name}")
    dashboard = gunicorn_start(
        environment=environment, log_path=tmp_path / "dashboard.log", workers=2, threads=4
    )
    try:
        before = _crowd(dashboard.origin, sessions, lookups_each=3)
        take_away()
        during = _crowd(dashboard.origin, sessions, lookups_each=3)
        with httpx.Client(
            base_url=dashboard.origin, cookies={"sessionid": sessions[0]}, timeout=10
        ) as client:
            down_page = client.get(f"/followups/{LOOKUP_IDS[0]}/")
        not_ready = httpx.get(f"{dashboard.origin}/readyz", timeout=10)
        bring_back()
        after = _crowd(dashboard.origin, sessions, lookups_each=3)
        ready = httpx.get(f"{dashboard.origin}/readyz", timeout=10)
    finally:
        dashboard.stop()
    return Restart(before, during, down_page, not_ready, after, ready)


def _outage_then_service_again(restart: Restart, *, failed_check: str) -> None:
    page = restart.down_page
    assert set(restart.before) == {200}
    assert set(restart.during) == {503}
    assert "Temporarily unavailable" in page.text
    assert f"Reference: <code>{page.headers['X-Request-ID']}</code>" in page.text
    assert "Traceback" not in page.text
    assert page.headers["Retry-After"] == "30"
    assert restart.not_ready.status_code == 503
    assert restart.not_ready.text == f"not ready: {failed_check}\n"
    assert set(restart.after) == {200}
    assert restart.ready.status_code == 200


@pytest.mark.services
def test_a_redis_restart_during_a_run_is_503_pages_then_service_again(
    tmp_path: Path, sandbox_process: ServedProcess, own_redis: tuple[str, RedisServer]
):
    cache_url, redis_server = own_redis
    environment = production_environment(
        database_url=os.environ["DATABASE_URL"],
        cache_url=cache_url,
        sandbox_origin=sandbox_process.origin,
    )
    restart = _restart_run(
        environment=environment,
        tmp_path=tmp_path,
        take_away=redis_server.stop,
        bring_back=redis_server.start,
    )
    _outage_then_service_again(restart, failed_check="cache")


@pytest.mark.services
def test_a_postgresql_restart_during_a_run_is_503_pages_then_service_again(
    tmp_path: Path, sandbox_process: ServedProcess
):
    """PostgreSQL reached through a relay that drops every connection and refuses new ones
    for a while, as a restart does."""
    database = urlsplit(os.environ["DATABASE_URL"])
    relay = TcpRelay(target_port=database.port or 5432)
    relay.resume()
    relayed = database._replace(netloc=f"{database.netloc.rsplit(':', 1)[0]}:{relay.port}")
    environment = production_environment(
        database_url=urlunsplit(relayed),
        cache_url=os.environ["CACHE_URL"],
        sandbox_origin=sandbox_process.origin,
    )
    try:
        restart = _restart_run(
            environment=environment,
            tmp_path=tmp_path,
            take_away=relay.cut,
            bring_back=relay.resume,
        )
    finally:
        relay.cut()
    _outage_then_service_again(restart, failed_check="database")
