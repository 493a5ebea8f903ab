"""gunicorn as configured in gunicorn.conf.py: threaded workers counted from the environment,
a timeout above GETBILL_DEADLINE, and an access log redacted like every other line."""

import runpy
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ROOT, embedded_gunicorn_start


def _config(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, object]:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "GETBILL_DEADLINE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_threaded_workers_counted_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    defaults = _config(monkeypatch)
    assert defaults["worker_class"] == "gthread"
    assert (defaults["workers"], defaults["threads"]) == (2, 8)
    assert defaults["bind"] == ["127.0.0.1:8000"]
    assert defaults["control_socket_disable"] is True  # instances on a machine share its path
    given = _config(
        monkeypatch, WEB_CONCURRENCY="4", GUNICORN_THREADS="16", GUNICORN_BIND="0.0.0.0:9000"
    )
    assert (given["workers"], given["threads"]) == (4, 16)
    assert given["bind"] == ["0.0.0.0:9000"]


@pytest.mark.parametrize("deadline", ["15", "2.5", "120"])
def test_the_worker_timeout_is_above_the_getbill_deadline(
    monkeypatch: pytest.MonkeyPatch, deadline: str
):
    config = _config(monkeypatch, GETBILL_DEADLINE=deadline)
    assert isinstance(config["timeout"], int)
    assert config["timeout"] > float(deadline)
    assert config["accesslog"] == "-"


def test_the_access_log_is_redacted_and_carries_the_request_id(tmp_path: Path):
    served = embedded_gunicorn_start(folder=tmp_path)
    signed = "/sandbox/media/collection-call.mp3?X-Amz-Signature=5ec7e75164a7u7e&X-Amz-Expires=60"
    try:
        media = httpx.get(served.origin + signed, timeout=10)
        health = httpx.get(f"{served.origin}/healthz?access_token=t0ps3cr3tvalue", timeout=10)
    finally:
        served.stop()
    log = served.log_text()
    access = [line for line in log.splitlines() if "gunicorn.access" in line]
    assert len(access) >= 3  # the start-up probe, then these two
    assert "5ec7e75164a7u7e" not in log
    assert "t0ps3cr3tvalue" not in log
    media_line = next(line for line in access if "/sandbox/media/" in line)
    assert f"[{media.headers['X-Request-ID']}]" in media_line
    assert "collection-call.mp3?[redacted]" in media_line
    assert any(f"[{health.headers['X-Request-ID']}]" in line for line in access)


def test_the_served_app_answers_a_content_type_django_cannot_read(tmp_path: Path):
    served = embedded_gunicorn_start(folder=tmp_path)
    try:
        health = httpx.get(
            f"{served.origin}/healthz",
            headers={"Content-Type": "text/plain; charset*=BOGUS''x"},
            timeout=10,
        )
    finally:
        served.stop()
    assert health.status_code == 200
    assert "Traceback" not in served.log_text()
