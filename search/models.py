"""The words of finished transcripts, one row per segment (a sentence with its speaker and
moment), folded (search.folding) for each database's full-text index.

SQLite: the FTS5 table `search_segment_fts` reads its text from this table (external content)
and triggers keep it in step (migration 0001). PostgreSQL: the two stored tsvector columns,
each with a GIN index, are filled by triggers as the rows are written (migration 0002).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from transcripts.models import Transcript

FTS_TABLE = "search_segment_fts"
# A row's ID is its transcript's ID times this, plus its position: FTS5 then tells the
# transcripts that match from its own index (rowid / SEGMENT_ID_SPAN), without reading a row,
# and finds one transcript's segments by a rowid range.
SEGMENT_ID_SPAN = 100_000


def segment_entry_id(*, transcript_id: int, position: int) -> int:
    return transcript_id * SEGMENT_ID_SPAN + position


class SegmentEntry(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()  # the segment's index in Transcript.segments
    start = models.FloatField()
    speaker = models.PositiveSmallIntegerField(null=True)
    # The segment's words folded; `words_masked` after its digit runs were masked, which is
    # all that those who do not see full numbers search (a card number said aloud must not
    # tell them which call holds it).
    words = models.TextField()
    words_masked = models.TextField()
    vector = SearchVectorField(null=True)
    vector_masked = SearchVectorField(null=True)

    class Meta:
        verbose_name_plural = "segment entries"
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "position"], name="search_segment_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Segment {self.position} of transcript {self.transcript_id}"
