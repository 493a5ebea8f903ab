"""A transcript as WebVTT (https://www.w3.org/TR/webvtt1/), the subtitle format browsers and
media players read: one cue per segment, the speaker as a voice span (`<v Agent>`) when known."""

from __future__ import annotations

from collections.abc import Sequence

from followups.moments import webvtt_time_format
from transcripts.display import SegmentShown


def _cue_text(text: str) -> str:
    # "&", "<" and ">" are markup in a cue ("-->" would also end its timing line).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt_write(*, segments: Sequence[SegmentShown]) -> str:
    """The WebVTT file of `segments` (already masked for the user who downloads it)."""
    blocks = ["WEBVTT"]
    for number, segment in enumerate(segments, start=1):
        start = round(segment.start * 1000)
        # A cue must end after it starts, in the milliseconds it is written in.
        end = max(round(segment.end * 1000), start + 1)
        text = _cue_text(segment.text)
        if segment.speaker:
            text = f"<v {segment.speaker}>{text}"
        timing = f"{webvtt_time_format(ms=start)} --> {webvtt_time_format(ms=end)}"
        blocks.append(f"{number}\n{timing}\n{text}")
    return "\n\n".join(blocks) + "\n"
