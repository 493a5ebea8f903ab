"""Delete transcripts made more than DASHBOARD_TRANSCRIPT_RETENTION_DAYS ago."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from transcripts.services import transcripts_purge


class Command(BaseCommand):
    help = (
        "Delete transcripts made more than DASHBOARD_TRANSCRIPT_RETENTION_DAYS days ago "
        "(reopening such a call transcribes it again)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = transcripts_purge(now=timezone.now())
        days = settings.DASHBOARD_TRANSCRIPT_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} transcripts made more than {days} days ago.")
