"""The words of finished transcripts, one row per segment (a sentence with its speaker and
moment), folded (search.folding) for each database's full-text index.

SQLite: the FTS5 table `search_segment_fts` reads its text from this table (external content)
and triggers keep it in step (migration 0001); its row IDs are this table's, laid out below
(migration 0003). PostgreSQL: the two stored tsvector columns,
each with a GIN index, are filled by triggers as the rows are written (migration 0002).
"""

from __future__ import annotations

import calendar
from datetime import datetime

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from transcripts.models import Transcript

FTS_TABLE = "search_segment_fts"

# A row's ID says, from its highest bits down: the period its call was made in, the call's
# transcript ID, the segment's position. FTS5 walks row IDs in either order from its own index,
# so a search reads the matching sentences newest call first and stops when it has listed
# enough calls (search.services), whatever order the calls were transcribed in; it tells a row's
# transcript from the ID alone (no row read), and one transcript's rows are one ID range.
# An ID is the same whenever a transcript is indexed again (a transcript re-made keeps its
# place), and SQLite gives the rows new IDs when the call's date changes (a trigger on the
# transcripts' table, migration 0003): the order of IDs must follow the calls' dates.
POSITION_BITS = 12  # a call's first 4,096 segments are searchable (hours of speech)
TRANSCRIPT_BITS = 26  # 67 million transcripts
PERIOD_BITS = 63 - TRANSCRIPT_BITS - POSITION_BITS
MAX_INDEXED_SEGMENTS = 1 << POSITION_BITS
TRANSCRIPT_MASK = (1 << TRANSCRIPT_BITS) - 1
# Periods of two minutes from 2000 (to the year 2127; later dates share the last period): a
# search reads to the end of the period where it stopped, since within a period the calls'
# order (by their exact time) is not the IDs'. Undated calls come last, as search lists them;
# no period is 0, so no ID is as low as those of the layout before (transcript ID x 100,000).
PERIOD_SECONDS = 120
PERIOD_EPOCH = 946_684_800  # 2000-01-01 00:00 UTC in Unix seconds
UNDATED_PERIOD = 1
FIRST_PERIOD = 2
LAST_PERIOD = (1 << PERIOD_BITS) - 1


def call_period(called_at: datetime | None) -> int:
    """The period a call made at `called_at` is in; later calls, later periods. The SQL of
    migration 0003's trigger computes the same from the stored date (a test holds them equal)."""
    if called_at is None:
        return UNDATED_PERIOD
    # The whole seconds in UTC (microseconds dropped, not rounded), as migration 0003 reads
    # the date.
    seconds = calendar.timegm(called_at.utctimetuple()) - PERIOD_EPOCH
    return max(FIRST_PERIOD, min(LAST_PERIOD, FIRST_PERIOD + seconds // PERIOD_SECONDS))


def call_key(*, transcript_id: int, called_at: datetime | None) -> int:
    """A call's place in the index, newest highest: a row ID without its position bits."""
    if not 0 < transcript_id <= TRANSCRIPT_MASK:
        raise ValueError(f"Transcript ID {transcript_id} does not fit the search index's row IDs.")
    return call_period(called_at) << TRANSCRIPT_BITS | transcript_id


def call_key_transcript_id(key: int) -> int:
    return key & TRANSCRIPT_MASK


def call_key_period(key: int) -> int:
    return key >> TRANSCRIPT_BITS


def segment_entry_id(*, transcript_id: int, called_at: datetime | None, position: int) -> int:
    if not 0 <= position < MAX_INDEXED_SEGMENTS:
        raise ValueError(f"Segment position {position} does not fit the search index's row IDs.")
    key = call_key(transcript_id=transcript_id, called_at=called_at)
    return key << POSITION_BITS | position


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
