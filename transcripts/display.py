"""A transcript as people read it: its segments with their moment and speaker, the words masked
for those who may not see long numbers, and the waveform drawn for the seek bar.

The segments come from the worker's JSON; anything in them that is not the documented shape is
left out rather than shown or allowed to fail the page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from followups.moments import duration_format
from transcripts.masking import digits_mask
from transcripts.speakers import AGENT, DEBTOR, speaker_label

# The waveform is drawn with one bar per peak; more than this are merged (loudest kept), so a
# long call's row cannot make the page heavy.
WAVEFORM_MAX_BARS = 600
# The SVG's own units, whole numbers to keep the path short: each bar in a slot this wide, and
# up to this high, centred.
WAVEFORM_SLOT = 10
WAVEFORM_BAR = 7
WAVEFORM_HEIGHT = 100
# A silent stretch still shows as a thin line, so the bar reads as a timeline.
WAVEFORM_MIN_BAR = 2


@dataclass(frozen=True)
class WordShown:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SegmentShown:
    start: float
    end: float
    speaker: str  # "Agent", "Debtor", or "" when not known
    text: str
    words: tuple[WordShown, ...]

    @property
    def moment(self) -> str:
        """`m:ss` (or `h:mm:ss`) of its start, as the player's clock shows it."""
        return duration_format(ms=int(self.start * 1000)) or "0:00"

    @property
    def second(self) -> int:
        """The whole second it starts in: the `?t=` of a link to it."""
        return int(self.start)

    @property
    def text_html(self) -> SafeString:
        """The words as spans carrying their times (for the highlight and seeking), or the
        text alone. Built here rather than in a template loop: a 10-minute call has some
        1,500 words: a template loop over them took ten times the CPU (60 ms against 6)."""
        if not self.words:
            return mark_safe(html.escape(self.text))  # noqa: S308
        spans = " ".join(
            f'<span data-start="{word.start:.3f}" data-end="{word.end:.3f}">'
            f"{html.escape(word.text)}</span>"
            for word in self.words
        )
        # Every word is escaped; the times are numbers.
        return mark_safe(spans)  # noqa: S308

    @property
    def speaker_key(self) -> str:
        return {AGENT: "agent", DEBTOR: "debtor"}.get(self.speaker, "")


@dataclass(frozen=True)
class Waveform:
    width: int  # in the SVG's own units
    height: int
    path: str  # one path of all the bars


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _text(value: Any) -> str:
    # One line: a newline would end a WebVTT cue early.
    return " ".join(value.split()) if isinstance(value, str) else ""


def _words_read(raw: Any) -> list[tuple[float, float, str]]:
    words = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        start, end, text = (
            _seconds(item.get("start")),
            _seconds(item.get("end")),
            _text(item.get("text")),
        )
        if start is not None and text:
            words.append((start, max(start, end if end is not None else start), text))
    return words


@dataclass
class _Segment:
    start: float
    end: float
    speaker: int | None
    text: str
    words: list[tuple[float, float, str]]


def _segments_read(raw: Iterable[Any]) -> list[_Segment]:
    segments = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        start, end = _seconds(item.get("start")), _seconds(item.get("end"))
        words = _words_read(item.get("words"))
        # The words, when there are any, are what is shown (each one can be highlighted and
        # clicked); the segment's own text is the same sentence.
        text = " ".join(word for _, _, word in words) if words else _text(item.get("text"))
        if start is None or not text:
            continue
        speaker = item.get("speaker")
        segments.append(
            _Segment(
                start=start,
                end=max(start, end if end is not None else start),
                speaker=speaker if isinstance(speaker, int) else None,
                text=text,
                words=words,
            )
        )
    return segments


def _texts_mask(texts: Sequence[str]) -> list[str]:
    # Masked all together: a card number said across two segments (a pause mid-number) is one
    # run. The mask keeps lengths, so each text is cut back out where it was.
    masked = digits_mask(" ".join(texts))
    pieces, position = [], 0
    for text in texts:
        pieces.append(masked[position : position + len(text)])
        position += len(text) + 1
    return pieces


def _words_cut(text: str, words: list[tuple[float, float, str]]) -> tuple[WordShown, ...]:
    # `text` is the words joined by spaces (masked or not): each word is its slice of it.
    shown, position = [], 0
    for start, end, word in words:
        shown.append(WordShown(start=start, end=end, text=text[position : position + len(word)]))
        position += len(word) + 1
    return tuple(shown)


def segments_shown(*, segments: Any, masked: bool) -> list[SegmentShown]:
    """The transcript's segments as shown, in order of time; with `masked`, every run of six
    or more digits masked (transcripts.masking), across words and segments."""
    read = sorted(
        _segments_read(segments if isinstance(segments, list) else []), key=lambda s: s.start
    )
    texts = [segment.text for segment in read]
    if masked:
        texts = _texts_mask(texts)
    return [
        SegmentShown(
            start=segment.start,
            end=segment.end,
            speaker=speaker_label(segment.speaker),
            text=text,
            words=_words_cut(text, segment.words),
        )
        for segment, text in zip(read, texts, strict=True)
    ]


def _peaks_read(raw: Any) -> list[float]:
    peaks = []
    for value in raw if isinstance(raw, list) else []:
        number = _seconds(value)
        peaks.append(min(1.0, number) if number is not None else 0.0)
    if len(peaks) <= WAVEFORM_MAX_BARS:
        return peaks
    per_bar = len(peaks) / WAVEFORM_MAX_BARS
    return [
        max(peaks[int(bar * per_bar) : max(int(bar * per_bar) + 1, int((bar + 1) * per_bar))])
        for bar in range(WAVEFORM_MAX_BARS)
    ]


def waveform_draw(*, peaks: Any) -> Waveform | None:
    """The waveform as one SVG path of bars (drawn on the server: no script builds it), or None
    when the transcript has no peaks."""
    values = _peaks_read(peaks)
    if not values:
        return None
    bars = []
    for index, peak in enumerate(values):
        height = max(WAVEFORM_MIN_BAR, round(peak * WAVEFORM_HEIGHT))
        top = (WAVEFORM_HEIGHT - height) // 2
        left = index * WAVEFORM_SLOT + (WAVEFORM_SLOT - WAVEFORM_BAR) // 2
        bars.append(f"M{left} {top}h{WAVEFORM_BAR}v{height}h-{WAVEFORM_BAR}z")
    return Waveform(width=len(values) * WAVEFORM_SLOT, height=WAVEFORM_HEIGHT, path="".join(bars))
