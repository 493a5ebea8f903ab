"""The transcript job, on django-tasks' database queue. It takes the followup's ID only:
task arguments are kept in rows the admin shows, so never a signed link."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task


@task(queue_name=settings.TRANSCRIPTS_QUEUE)
def transcribe_followup(followup_id: str) -> None:
    from transcripts.services import transcript_make

    transcript_make(followup_id=followup_id)
