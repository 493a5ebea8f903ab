"""django-tasks-db's `db_worker`, which first makes sure a worker serving the transcripts
queue can transcribe: the engine installed and on, the speech model present, readable and (the
packaged one) the right file, loaded once for every job of the process. Otherwise it stops at
start with a message saying why, instead of failing every job."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from transcripts.engine import EngineUnavailableError, engine_load
from transcripts.services import transcripts_stale_requeue

# How much lower than the web's a worker's CPU priority is.
WORKER_NICENESS = 10


class Command(db_worker.Command):
    help = (
        "Run a database background worker; serving the transcripts queue, it loads the speech "
        "model first."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = str(options["queue_name"]).split(",")
        serves_transcripts = settings.TRANSCRIPTS_QUEUE in queues or "*" in queues
        # With --reload the first process only watches files; the one it starts runs jobs.
        watcher = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if watcher:
            super().handle(*args, **options)
            return
        engine = None
        if serves_transcripts:
            try:
                engine = engine_load()
            except EngineUnavailableError as error:
                raise CommandError(f"This worker cannot make transcripts. {error}") from None
        # Jobs are background work (transcribing takes every core it is given; a tracker
        # change re-checks every transcript): on a machine that also serves the web, the web's
        # requests go first.
        os.nice(WORKER_NICENESS)
        if engine is not None:
            self.stdout.write(f"Transcripts: speech model {engine.name} loaded.")
            requeued = transcripts_stale_requeue(now=timezone.now())
            if requeued:
                self.stdout.write(f"Transcripts: {requeued} left running by a stopped worker.")
        super().handle(*args, **options)
