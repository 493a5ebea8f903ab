"""Running the dashboard as production does, in other processes: gunicorn workers on loopback,
a separate sandbox process (whose access log counts what GetBill was asked), signed-in
sessions for load. Shared by the multi-process tests and `bench/load.py`; everything started
here is stopped by the caller through `ServedProcess.stop`.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from tests.support.start_up import ROOT, python_run

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SECRET_KEY = "multi-process-only-secret-key-0123456789-0123456789-0123"
# A user may make this many lookups a minute in load runs: the per-user limit is not measured.
LOOKUPS_PER_MINUTE = "100000"


def clean_environment() -> dict[str, str]:
    """This process's environment without the dashboard's own variables."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GETBILL_", "DATABASE_", "CACHE_", "DASHBOARD_"))
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_environment(
    *, database_url: str, cache_url: str, sandbox_origin: str, **extra: str
) -> dict[str, str]:
    """Production settings (DEBUG off) on plain http over loopback, on the sandbox at
    `sandbox_origin`. An empty `cache_url` leaves CACHE_URL unset: the embedded default's
    shared disk cache beside the SQLite database."""
    return {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DATABASE_URL": database_url,
        **({"CACHE_URL": cache_url} if cache_url else {}),
        "GETBILL_SANDBOX": "true",
        "GETBILL_SANDBOX_ORIGIN": sandbox_origin,
        "DASHBOARD_LOOKUPS_PER_MINUTE": LOOKUPS_PER_MINUTE,
        **extra,
    }


@dataclass
class ServedProcess:
    origin: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


_static_collected = False


def _static_collect(environment: dict[str, str]) -> None:
    """`collectstatic` into staticfiles/ once per run, as a deployment does before serving:
    production pages name the collected, hashed files."""
    global _static_collected
    if not _static_collected:
        manage(environment, "collectstatic", "--noinput", "--clear", "--verbosity", "0")
        _static_collected = True


def gunicorn_start(
    *,
    environment: dict[str, str],
    log_path: Path,
    workers: int,
    threads: int,
    port: int | None = None,
    app: str = "dashboard.wsgi:application",
    ready_timeout: float = 60,
) -> ServedProcess:
    """gunicorn with the repository's gunicorn.conf.py, once its /healthz answers."""
    _static_collect(environment)
    port = port or free_port()
    log = log_path.open("ab")
    process = subprocess.Popen(  # noqa: S603 - this repository's own server
        [
            GUNICORN,
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            app,
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served = ServedProcess(f"http://127.0.0.1:{port}", process, log_path, log)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{served.origin}/healthz", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    served.stop()
    raise RuntimeError(f"gunicorn did not start:\n{served.log_text()[-3000:]}")


def manage(environment: dict[str, str], *args: str) -> str:
    """`manage.py args` output; raises with its error output when it fails."""
    result = python_run("manage.py", *args, env=environment, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def embedded_gunicorn_start(*, folder: Path, database_url: str = "") -> ServedProcess:
    """One small gunicorn worker in production mode on SQLite (or `database_url`), with no
    GetBill behind it: for what a server does around the pages (logs, health, outages)."""
    environment = production_environment(
        database_url=database_url or f"sqlite:///{folder / 'db.sqlite3'}",
        cache_url="locmemcache://",
        sandbox_origin="http://127.0.0.1:9",
    )
    return gunicorn_start(
        environment=environment, log_path=folder / "gunicorn.log", workers=1, threads=2
    )


_SESSIONS_SCRIPT = """
import sys
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
managers = Group.objects.get(name="Collections managers")
for n in range({count}):
    user, _ = get_user_model().objects.get_or_create(username=f"{prefix}-{{n}}")
    user.groups.add(managers)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend that reads users' permissions (the last one; the first counts failed sign-ins).
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(session.session_key)
"""


def signed_in_sessions(environment: dict[str, str], *, count: int, prefix: str) -> list[str]:
    """Session keys of `count` Collections managers, made in the served database (migrated
    first), as if each had signed in."""
    manage(environment, "migrate", "--noinput", "--verbosity", "0")
    script = _SESSIONS_SCRIPT.format(count=count, prefix=prefix)
    output = manage(environment, "shell", "--no-imports", "-c", script)
    return output.split()[-count:]


def token_requests(sandbox: ServedProcess) -> int:
    """Tokens the sandbox process issued, counted in its access log."""
    return sum(
        1
        for line in sandbox.log_text().splitlines()
        if '"POST /sandbox/token' in line and '" 200 ' in line
    )


class TcpRelay:
    """A loopback TCP relay in front of a server (PostgreSQL), to take the server away as a
    restart does: `cut()` drops every connection and refuses new ones, `resume()` listens on
    the same port again."""

    def __init__(self, *, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def resume(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        for sock in [listener, *sockets]:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
