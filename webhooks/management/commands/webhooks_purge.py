"""Delete webhook deliveries received more than WEBHOOK_DEDUP_HOURS ago."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from webhooks.services import webhook_deliveries_purge


class Command(BaseCommand):
    help = (
        "Delete GetBill webhook deliveries received more than WEBHOOK_DEDUP_HOURS hours ago "
        "(the same body received after that is handled again)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = webhook_deliveries_purge(now=timezone.now())
        hours = settings.WEBHOOK_DEDUP_HOURS
        self.stdout.write(f"Deleted {deleted} webhook deliveries older than {hours} hours.")
