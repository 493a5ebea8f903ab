"""Transcript rows as the worker leaves them, made in tests (no model is run)."""

from typing import Any

# A two-channel call: channel 0 the agent's, 1 the debtor's. The debtor reads a card number
# over three words and gives a phone number across two segments.
SEGMENTS: list[dict[str, Any]] = [
    {
        "start": 0.0,
        "end": 2.4,
        "speaker": 0,
        "text": "Hello, this is Anna from Acme.",
        "words": [
            {"start": 0.0, "end": 0.4, "text": "Hello,"},
            {"start": 0.5, "end": 0.7, "text": "this"},
            {"start": 0.7, "end": 0.8, "text": "is"},
            {"start": 0.9, "end": 1.3, "text": "Anna"},
            {"start": 1.4, "end": 1.6, "text": "from"},
            {"start": 1.7, "end": 2.4, "text": "Acme."},
        ],
    },
    {
        "start": 3.0,
        "end": 6.5,
        "speaker": 1,
        "text": "My card is 4970 1012 3456 7890.",
        "words": [
            {"start": 3.0, "end": 3.2, "text": "My"},
            {"start": 3.2, "end": 3.5, "text": "card"},
            {"start": 3.5, "end": 3.7, "text": "is"},
            {"start": 3.8, "end": 4.6, "text": "4970"},
            {"start": 4.7, "end": 5.4, "text": "1012"},
            {"start": 5.5, "end": 6.0, "text": "3456"},
            {"start": 6.0, "end": 6.5, "text": "7890."},
        ],
    },
    {
        "start": 7.0,
        "end": 8.0,
        "speaker": 1,
        "text": "Call me on 06 12",
        "words": [
            {"start": 7.0, "end": 7.2, "text": "Call"},
            {"start": 7.2, "end": 7.3, "text": "me"},
            {"start": 7.3, "end": 7.5, "text": "on"},
            {"start": 7.6, "end": 7.8, "text": "06"},
            {"start": 7.8, "end": 8.0, "text": "12"},
        ],
    },
    {
        "start": 8.5,
        "end": 10.0,
        "speaker": 1,
        "text": "34 56 78 <please> & thanks",
        "words": [
            {"start": 8.5, "end": 8.7, "text": "34"},
            {"start": 8.7, "end": 8.9, "text": "56"},
            {"start": 8.9, "end": 9.1, "text": "78"},
            {"start": 9.2, "end": 9.6, "text": "<please>"},
            {"start": 9.6, "end": 9.7, "text": "&"},
            {"start": 9.7, "end": 10.0, "text": "thanks"},
        ],
    },
    {
        "start": 75.2,
        "end": 78.0,
        "speaker": 0,
        "text": "I dispute the amount, said nobody.",
        "words": [],
    },
]
PEAKS = [0.1, 0.5, 1.0, 0.3, 0.0, 0.8] * 50


def transcript_make(followup_id: str, **fields: Any) -> Any:
    """A finished transcript of `followup_id` (fields override)."""
    from transcripts.models import Transcript

    values: dict[str, Any] = {
        "status": Transcript.Status.DONE,
        "language": "en",
        "channels": 2,
        "duration_seconds": 80.0,
        "segments": SEGMENTS,
        "peaks": PEAKS,
        **fields,
    }
    return Transcript.objects.create(followup_id=followup_id, **values)
