from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trackers.services import trackers_export


class Command(BaseCommand):
    help = "Write every tracker to standard output, as the JSON file trackers_import reads."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(trackers_export(), ending="")
