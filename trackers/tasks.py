"""Checking every finished transcript again once trackers changed: a job, not a request."""

from __future__ import annotations

from django_tasks import task


@task()
def trackers_recheck() -> None:
    from trackers.services import transcripts_recheck

    transcripts_recheck()
