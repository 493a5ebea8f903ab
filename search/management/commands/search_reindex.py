from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from search.indexing import transcript_index
from transcripts.models import Transcript


class Command(BaseCommand):
    help = "Index every finished transcript's words for search (transcripts made before search)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = Transcript.objects.filter(status=Transcript.Status.DONE).order_by("pk")
        count = 0
        for transcript in done.iterator(chunk_size=200):
            transcript_index(transcript=transcript)
            count += 1
        self.stdout.write(f"Indexed {count} transcript(s).")
