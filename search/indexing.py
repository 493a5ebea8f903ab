"""Writing a finished transcript's segments into the search index (search.models)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from search.folding import text_fold
from search.models import SEGMENT_ID_SPAN, SegmentEntry, segment_entry_id
from transcripts.masking import digits_mask
from transcripts.models import Transcript

# PostgreSQL's configuration without stemming or stop words: the words are folded already,
# and calls are in several languages. The stored tsvectors are written with it by the
# database's triggers (migration 0002); queries use it too.
TEXT_SEARCH_CONFIG = "simple"


def transcript_index(*, transcript: Transcript) -> int:
    """Index `transcript`'s segments (replacing what was indexed of it); returns how many."""
    entries = [
        SegmentEntry(
            id=segment_entry_id(transcript_id=transcript.pk, position=position),
            transcript=transcript,
            position=position,
            start=float(segment.get("start") or 0),
            speaker=segment["speaker"] if isinstance(segment.get("speaker"), int) else None,
            words=text_fold(text),
            words_masked=text_fold(digits_mask(text)),
        )
        for position, segment in enumerate(transcript.segments[:SEGMENT_ID_SPAN])
        if (text := str(segment.get("text", ""))).strip()
    ]
    with transaction.atomic():
        SegmentEntry.objects.filter(transcript=transcript).delete()
        SegmentEntry.objects.bulk_create(entries)
    return len(entries)


def index_on_transcript_done(sender: Any, *, transcript: Transcript, **kwargs: Any) -> None:
    """transcripts' `transcript_done` receiver."""
    transcript_index(transcript=transcript)
