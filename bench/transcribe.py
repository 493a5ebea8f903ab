"""Transcription benchmark: the real-time factor and peak memory of each speech model it finds
(the packaged Whisper base, TRANSCRIBE_MODEL, and any --model DIR), each in a process of its own
on the sandbox's recordings; then the detail page's latency (bench/load.py's think-time load
against gunicorn) without and with a worker transcribing at the same time. Prints figures,
asserts nothing.

    .venv/bin/python bench/transcribe.py --users 20 --seconds 30
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load import DETAIL_IDS, figures_line, phase_run  # noqa: E402

from tests.support.processes import (  # noqa: E402
    clean_environment,
    free_port,
    gunicorn_start,
    manage,
    production_environment,
    signed_in_sessions,
)

MEDIA = ROOT / "sandbox" / "media"
WORKER_OPTIONS = ("--queue-name", "transcripts", "--no-reload", "--no-startup-delay")

# Run in a process per model, so its peak memory is the model's alone.
_MODEL_SCRIPT = """
import json, resource, sys, time
import django
django.setup()
from transcripts.audio import audio_decode
from transcripts.engine import FasterWhisperEngine
from transcripts.model_files import model_directory_ready
directory, name = model_directory_ready()
started = time.perf_counter()
engine = FasterWhisperEngine(model_dir=directory, name=name, threads={threads}, compute_type="int8")
load = time.perf_counter() - started
audio_seconds = busy = 0.0
words = 0
for path in sys.argv[1:]:
    with open(path, "rb") as file:
        decoded = audio_decode(file=file, max_seconds=7200)
    started = time.perf_counter()
    for channel in decoded.channels:
        result = engine.transcribe(channel, language=None)
        words += sum(len(s.words) for s in result.segments)
    busy += time.perf_counter() - started
    audio_seconds += decoded.duration_seconds
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"name": name, "load": load, "audio": audio_seconds, "busy": busy,
                  "words": words, "peak": peak}}))
"""

_QUEUE_SCRIPT = """
from followups.getbill import followup_get
from sandbox.data import FOLLOWUP_MEDIA
from transcripts.services import transcript_request
from transcripts.models import Transcript
Transcript.objects.all().delete()
ids = [i for i, media in FOLLOWUP_MEDIA.items() if "audio_url" in media]
for followup_id in ids:
    transcript_request(followup=followup_get(followup_id=followup_id))
print(len(ids))
"""

_PENDING_SCRIPT = """
from transcripts.models import Transcript
print(Transcript.objects.exclude(status__in=["done", "failed"]).count(),
      Transcript.objects.filter(status="done").count())
"""


def recordings() -> list[Path]:
    return sorted(MEDIA.glob("*.mp3")) + sorted(MEDIA.glob("*.wav"))


def model_directories(extra: list[str]) -> list[str]:
    """ "" (the packaged model), TRANSCRIBE_MODEL when set, and the directories asked for."""
    found = [""]
    for directory in [os.environ.get("TRANSCRIBE_MODEL", ""), *extra]:
        if directory and directory not in found:
            found.append(directory)
    return found


def model_measure(*, directory: str, files: list[Path], threads: int, model_dir: Path) -> None:
    environment = {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
        "TRANSCRIBE_MODEL": directory,
        "TRANSCRIBE_MODEL_DIR": str(model_dir),
    }
    done = subprocess.run(  # noqa: S603 - the project's own script
        [sys.executable, "-c", _MODEL_SCRIPT.format(threads=threads), *map(str, files)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"model {directory or 'packaged'}: failed\n{done.stderr[-2000:]}", flush=True)
        return
    figures = json.loads(done.stdout.splitlines()[-1])
    print(
        f"model {figures['name']:<16} threads {threads}  audio {figures['audio']:6.1f} s  "
        f"real-time factor {figures['busy'] / figures['audio']:.3f}  "
        f"load {figures['load']:.1f} s  peak memory {figures['peak'] / 2**30:.2f} GiB  "
        f"words {figures['words']}",
        flush=True,
    )


def latency_measure(args: argparse.Namespace, folder: Path) -> None:
    upstream_port = free_port()
    upstream_origin = f"http://127.0.0.1:{upstream_port}"
    upstream = gunicorn_start(
        environment=production_environment(
            database_url=f"sqlite:///{folder / 'upstream.sqlite3'}",
            cache_url="locmemcache://",
            sandbox_origin=upstream_origin,
            BENCH_UPSTREAM_LATENCY_MS=str(args.latency_ms),
            DJANGO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        ),
        log_path=folder / "upstream.log",
        workers=1,
        threads=64,
        port=upstream_port,
        app="bench.slow_upstream:application",
    )
    environment = production_environment(
        database_url=f"sqlite:///{folder / 'dashboard.sqlite3'}",
        cache_url="locmemcache://",
        sandbox_origin=upstream_origin,
        DJANGO_LOG_LEVEL="WARNING",
        TRANSCRIBE_MODEL_DIR=str(folder / "model"),
        TRANSCRIBE_THREADS=str(args.threads),
    )
    dashboard = None
    worker = None
    try:
        sessions: list[str | None] = list(
            signed_in_sessions(environment, count=args.users, prefix="transcribe")
        )
        dashboard = gunicorn_start(
            environment=environment, log_path=folder / "dashboard.log", workers=2, threads=8
        )
        paths = [f"/followups/{followup_id}/" for followup_id in DETAIL_IDS]

        def phase(label: str) -> None:
            figures = phase_run(
                origin=dashboard.origin,
                paths=paths,
                sessions=sessions,
                seconds=args.seconds,
                think=args.think,
                upstream=upstream,
            ).figures()
            print(figures_line(label, figures), flush=True)

        phase("warm-up")
        phase("detail, no worker")
        queued = manage(environment, "shell", "--no-imports", "-c", _QUEUE_SCRIPT).split()[-1]
        worker = subprocess.Popen(  # noqa: S603 - the project's own command
            [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
            cwd=ROOT,
            env=environment,
            stdout=(folder / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        # The model loaded and the first job started: the phase measures a busy worker.
        time.sleep(args.worker_start)
        phase(f"detail, worker transcribing ({args.threads} threads)")
        pending, done = manage(environment, "shell", "--no-imports", "-c", _PENDING_SCRIPT).split()
        busy = "yes" if int(pending) else "no"
        print(
            f"worker: {queued} calls queued, {done} transcribed by the phase's end, "
            f"{pending} still waiting or running (busy throughout: {busy})",
            flush=True,
        )
    finally:
        if worker is not None:
            worker_stop(worker)
        if dashboard is not None:
            dashboard.stop()
        upstream.stop()


def worker_stop(worker: subprocess.Popen[bytes]) -> None:
    """Asked twice, a worker stops at once (its job goes back to the queue) rather than
    finishing the call it is transcribing."""
    for _ in range(2):
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            time.sleep(0.5)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="another model directory")
    parser.add_argument("--threads", type=int, default=2, help="threads of one transcription")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--worker-start", type=float, default=15.0, help="seconds to load")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    files = recordings()
    print(f"recordings: {len(files)} ({', '.join(p.name for p in files)})", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-transcribe-") as folder:
        for directory in model_directories(args.model):
            model_measure(
                directory=directory,
                files=files,
                threads=args.threads,
                model_dir=Path(folder) / "model",
            )
        if not args.skip_latency:
            latency_measure(args, Path(folder))


if __name__ == "__main__":
    main()
