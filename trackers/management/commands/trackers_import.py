from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trackers.services import TrackerFileError, trackers_import

MAX_FILE_BYTES = 5 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import trackers from a JSON file (a list of {name, kind, phrases, within_seconds, "
        "language, speaker}): nothing is imported if any entry is wrong; trackers of the same "
        "names are replaced, the others kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{path} is larger than {MAX_FILE_BYTES} bytes.")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            imported = trackers_import(text=text)
        except TrackerFileError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {line}" for line in error.lines)
            ) from None
        self.stdout.write(
            f"Imported {len(imported)} tracker(s); every transcript will be checked again."
        )
