"""Writing a finished transcript's segments into the search index (search.models)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from search.folding import text_fold
from search.models import MAX_INDEXED_SEGMENTS, SegmentEntry, segment_entry_id
from transcripts.masking import digits_mask
from transcripts.models import Transcript

# PostgreSQL's configuration without stemming or stop words: the words are folded already,
# and calls are in several languages. The stored tsvectors are written with it by the
# database's triggers (migration 0002); queries use it too.
TEXT_SEARCH_CONFIG = "simple"


def transcript_index(*, transcript: Transcript) -> int:
    """Index `transcript`'s segments (replacing what was indexed of it); returns how many."""
    with transaction.atomic():
        SegmentEntry.objects.filter(transcript=transcript).delete()
        # The call's date as stored, read in the transaction that writes the rows (on SQLite
        # it holds the write lock from its start): a row's ID holds its call's period
        # (search.models), and no new date can be stored between this read and the rows.
        called_at = (
            Transcript.objects.filter(pk=transcript.pk).values_list("called_at", flat=True).first()
        )
        entries = [
            SegmentEntry(
                id=segment_entry_id(
                    transcript_id=transcript.pk, called_at=called_at, position=position
                ),
                transcript=transcript,
                position=position,
                start=float(segment.get("start") or 0),
                speaker=segment["speaker"] if isinstance(segment.get("speaker"), int) else None,
                words=text_fold(text),
                words_masked=text_fold(digits_mask(text)),
            )
            for position, segment in enumerate(transcript.segments[:MAX_INDEXED_SEGMENTS])
            if (text := str(segment.get("text", ""))).strip()
        ]
        SegmentEntry.objects.bulk_create(entries)
    return len(entries)


def index_on_transcript_done(sender: Any, *, transcript: Transcript, **kwargs: Any) -> None:
    """transcripts' `transcript_done` receiver."""
    transcript_index(transcript=transcript)
