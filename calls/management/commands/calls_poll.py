"""Run the periodic read of the newest calls on a timer, beside the jobs' worker.

django-tasks has no scheduler, and the worker is the wrong place for a timer: it runs one job
at a time, and transcribing a long call holds it for minutes, which would hold the read back
with it. This command only wakes up every TICK_SECONDS to ask whether a read is due; any number
of them may run (one per machine, say), and one read per interval happens in the deployment.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from calls.services import calls_poll_interval, calls_poll_once

logger = logging.getLogger(__name__)

# How often the timer asks whether a read is due (reads happen once per interval).
TICK_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Read GetBill's newest calls every DASHBOARD_CALLS_POLL_MINUTES (less often while "
        "GetBill delivers webhooks) and queue their transcripts; runs until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Read once if a read is due, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DASHBOARD_CALLS_POLL_MINUTES:
            self.stdout.write("The periodic read of the newest calls is off.")
            return
        if options["once"]:
            self._tick()
            return
        stop = threading.Event()

        def stop_now(signum: int, frame: FrameType | None) -> None:
            # Stopped between two reads at once; during one, once it ends.
            stop.set()

        signal.signal(signal.SIGTERM, stop_now)
        signal.signal(signal.SIGINT, stop_now)
        minutes = calls_poll_interval(now=timezone.now()).total_seconds() / 60
        self.stdout.write(f"Reading the newest calls every {minutes:g} minutes.")
        # The first read one tick after starting: started beside the server, the command
        # would otherwise ask before the server (the sandbox, in `make run`) listens.
        while not stop.wait(TICK_SECONDS):
            # A long-running process: a connection the database dropped meanwhile is replaced.
            close_old_connections()
            self._tick()

    def _tick(self) -> None:
        try:
            read = calls_poll_once(now=timezone.now())
        except Exception:
            # The next tick tries again; the log has the details (redacted).
            logger.exception("Reading the newest calls failed unexpectedly")
            return
        if read is not None:
            self.stdout.write(f"Newest calls: {read.summary}.")
