"""Delete audit entries older than the retention period (DASHBOARD_AUDIT_RETENTION_DAYS)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from followups.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Delete audit entries older than DASHBOARD_AUDIT_RETENTION_DAYS days; "
        "run it daily (cron, systemd timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the entries that would go."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = settings.DASHBOARD_AUDIT_RETENTION_DAYS
        before = timezone.now() - timedelta(days=days)
        if options["dry_run"]:
            count = AuditEntry.objects.filter(at__lt=before).count()
            self.stdout.write(f"{count} audit entries older than {days} days would be deleted.")
            return
        deleted = AuditEntry.objects.all().expired_purge(before=before)
        self.stdout.write(f"Deleted {deleted} audit entries older than {days} days.")
