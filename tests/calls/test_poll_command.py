"""`manage.py calls_poll`: one read when due, and one read per interval in the deployment
however many processes run it (real processes sharing a database file and the embedded
default's disk cache, reading the sandbox over loopback)."""

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.utils import timezone

from followups import values
from sandbox.serve import sandbox_serve_in_thread
from tests.support.processes import manage, production_environment
from tests.support.start_up import ROOT

pytestmark = pytest.mark.django_db


def test_once_reads_when_due_and_not_again_in_the_same_interval(
    fake_getbill: Any, settings: Any
) -> None:
    settings.DASHBOARD_CALLS_POLL_MINUTES = 60 * 24
    fake_getbill.followup_add(id="call0001", call_date=timezone.now())
    first, again = StringIO(), StringIO()

    call_command("calls_poll", "--once", stdout=first)
    call_command("calls_poll", "--once", stdout=again)

    assert "Newest calls: 1 calls read" in first.getvalue()
    assert "1 transcripts queued" in first.getvalue()
    assert again.getvalue() == ""
    assert len(fake_getbill.requests) == len(values.CALL_TYPES)


def test_off_says_so(settings: Any) -> None:
    settings.DASHBOARD_CALLS_POLL_MINUTES = 0
    out = StringIO()
    call_command("calls_poll", stdout=out)
    assert "off" in out.getvalue()


class _ListCounter:
    """The project's WSGI app serving the sandbox, counting GetBill's list requests."""

    def __init__(self) -> None:
        self._app = get_wsgi_application()
        self._lock = threading.Lock()
        self.list_requests = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").endswith("/external-api/v1/followups"):
            with self._lock:
                self.list_requests += 1
        return self._app(environ, start_response)


@pytest.fixture
def counted_sandbox() -> Iterator[tuple[str, _ListCounter]]:
    counter = _ListCounter()
    origin, stop = sandbox_serve_in_thread(app=counter)
    yield origin, counter
    stop()


def test_two_processes_make_one_read(
    tmp_path: Path, counted_sandbox: tuple[str, _ListCounter]
) -> None:
    origin, counter = counted_sandbox
    database = tmp_path / "db.sqlite3"
    environment = production_environment(
        database_url=f"sqlite:///{database}",
        cache_url="",  # the embedded default: one disk cache for every process
        sandbox_origin=origin,
        # A day's interval: both processes start well inside the same one.
        DASHBOARD_CALLS_POLL_MINUTES=str(60 * 24),
        TRANSCRIBE_ENGINE="off",
    )
    manage(environment, "migrate", "--noinput", "--verbosity", "0")

    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "calls_poll", "--once"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    readers = [out for out, _ in outputs if "Newest calls:" in out]
    assert len(readers) == 1, outputs
    assert counter.list_requests == len(values.CALL_TYPES)
    with sqlite3.connect(database) as connection:
        (calls,) = connection.execute("SELECT COUNT(*) FROM transcripts_transcript").fetchone()
    assert calls > 0
