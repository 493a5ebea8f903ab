"""A real `db_worker` process making a transcript with the real model (the packaged Whisper
base), on a database file it shares with the test, from the sandbox's recording served over
loopback: the words said in the recording must be in the transcript. A worker killed mid-job
leaves a transcript that the next worker's start queues again."""

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import production_environment
from tests.support.start_up import ROOT, python_run

pytestmark = pytest.mark.skipif(
    __import__("importlib").util.find_spec("faster_whisper") is None,
    reason="the speech engine (the transcribe extra) is not installed",
)
# Long enough for the model to load and hear a minute of audio on a busy 2-core machine.
JOB_SECONDS = 600

REQUEST_SCRIPT = """
import django, json, sys
django.setup()
from followups.getbill import followup_get
from transcripts.services import transcript_request
transcript = transcript_request(followup=followup_get(followup_id=sys.argv[1]))
print(json.dumps(transcript.status))
"""


def _collection_call_id() -> str:
    """A sandbox call whose recording is the English collection call."""
    from sandbox.data import FOLLOWUP_MEDIA, MEDIA_OBJECTS

    for followup_id, media in FOLLOWUP_MEDIA.items():
        if MEDIA_OBJECTS.get(media.get("audio_url", "")) == "collection-call.mp3":
            return followup_id
    raise AssertionError("no sandbox call carries collection-call.mp3")


def _row(database: Path, followup_id: str) -> dict:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "SELECT * FROM transcripts_transcript WHERE followup_id = ?", (followup_id,)
        ).fetchone()
    return dict(row)


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "transcripts",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--max-tasks",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, *, seconds: float, what: str, worker: subprocess.Popen, log: Path):
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        value = condition()
        if value:
            return value
        if worker.poll() is not None and not condition():
            pytest.fail(f"the worker exited before {what}:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    worker.kill()
    pytest.fail(f"no {what} within {seconds} s:\n{log.read_text(errors='replace')}")


def test_a_worker_process_transcribes_a_sandbox_call_after_another_died(
    tmp_path: Path, upstream_origin: str
):
    database = tmp_path / "db.sqlite3"
    env = production_environment(
        database_url=f"sqlite:///{database}",
        cache_url="locmemcache://",
        sandbox_origin=upstream_origin,
        TRANSCRIBE_MODEL_DIR=str(tmp_path / "model"),
        TRANSCRIBE_THREADS="2",
    )
    followup_id = _collection_call_id()
    migrated = python_run("manage.py", "migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    requested = python_run("-c", REQUEST_SCRIPT, followup_id, env=env)
    assert requested.returncode == 0, requested.stderr
    assert json.loads(requested.stdout.splitlines()[-1]) == "queued"

    # A first worker dies (SIGKILL) while it transcribes: the row says running.
    first_log = tmp_path / "first-worker.log"
    first = _worker(env, first_log)
    _wait_for(
        lambda: _row(database, followup_id)["status"] == "running",
        seconds=JOB_SECONDS,
        what="running transcript",
        worker=first,
        log=first_log,
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _row(database, followup_id)["status"] == "running"

    # The next worker's start finds it abandoned (after the job timeout), queues it again, and
    # makes it.
    second_log = tmp_path / "second-worker.log"
    second = _worker(
        {**env, "TRANSCRIBE_JOB_TIMEOUT_SECONDS": "1", "TRANSCRIBE_RETRY_SECONDS": "1"},
        second_log,
    )
    try:
        row = _wait_for(
            lambda: (r := _row(database, followup_id))["status"] in ("done", "failed") and r,
            seconds=JOB_SECONDS,
            what="finished transcript",
            worker=second,
            log=second_log,
        )
    finally:
        if second.poll() is None:
            second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)

    log = second_log.read_text(errors="replace")
    assert row["status"] == "done", (row["failure"], log)
    assert "left running by a stopped worker" in log
    assert row["attempts"] == 2
    assert row["language"] == "en"
    assert row["model_name"] == "whisper-base"
    assert row["channels"] == 1
    segments = json.loads(row["segments"])
    text = " ".join(segment["text"] for segment in segments).lower()
    for said in ("monthly payments", "first of next month", "email", "account holder"):
        assert said in text, text
    assert {segment["speaker"] for segment in segments} == {None}
    words = [word for segment in segments for word in segment["words"]]
    assert all(word["start"] <= word["end"] for word in words)
    assert len(json.loads(row["peaks"])) == 300
    # The job was audited as the system, and left no audio behind.
    with sqlite3.connect(database) as connection:
        audited = connection.execute(
            "SELECT username, outcome FROM followups_auditentry WHERE followup_id = ?",
            (followup_id,),
        ).fetchall()
    assert ("(system)", "shown") in audited
    assert "Signature" not in log
