"""Moments of a recording: read as people and links write them, written as the player shows them.

One parser for every place a moment is typed or linked: a comment's "At" box, a link's `?t=`
value. It reads `75`, `75.4` (cut to whole seconds), `90s`, `1:15`, `1:02:03`, `1m30s` and
`1h2m3s`; ASCII digits only. `static/js/player.js` reads `#t=` with the same rules, so a link to
a moment means the same wherever its time is written.

The formats: `m:ss`, or `h:mm:ss` from an hour on (the player's clock, seconds rounded down);
seconds with their fraction (`57.785`, for a slider's `max`); and WebVTT's `hh:mm:ss.mmm`.
"""

from __future__ import annotations

import re

# No call lasts a day; a bigger number is a typo or junk, not a moment of a recording.
MOMENT_MAX_SECONDS = 24 * 3600
# A moment is shared in links and typed in a box; anything longer than this is not a time.
MOMENT_MAX_LENGTH = 16

_SECONDS = re.compile(r"([0-9]+)(?:\.[0-9]{1,3})?s?", re.ASCII | re.IGNORECASE)
_CLOCK = re.compile(r"(?:([0-9]+):)?([0-9]+):([0-5][0-9])(?:\.[0-9]{1,3})?", re.ASCII)
_UNITS = re.compile(
    r"(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?", re.ASCII | re.IGNORECASE
)

_NOT_A_MOMENT = "That is not a moment: write it in seconds or as m:ss."


class MomentError(ValueError):
    """Text that is not a moment; the message says why, for the person who typed it."""


def _written_seconds(text: str) -> int | None:
    # The whole seconds `text` spells in one of the forms above; None if it spells none.
    if match := _SECONDS.fullmatch(text):
        return int(match.group(1))
    if match := _CLOCK.fullmatch(text):
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        if match.group(1) is not None and minutes > 59:
            raise MomentError("That is not a moment: minutes go up to 59 in h:mm:ss.")
        return hours * 3600 + minutes * 60 + seconds
    if match := _UNITS.fullmatch(text):
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    return None


def moment_parse(*, raw: str | None) -> int:
    """Whole seconds from a moment as written (see the module's forms), from 0 to
    MOMENT_MAX_SECONDS; raises MomentError, whose message says why for the person."""
    text = (raw or "").strip()
    if not text:
        raise MomentError("Give the moment, in seconds or as m:ss.")
    if len(text) > MOMENT_MAX_LENGTH:
        raise MomentError(_NOT_A_MOMENT)
    seconds = _written_seconds(text)
    if seconds is None:
        if text.startswith("-"):
            raise MomentError("A moment cannot be before the start of the recording.")
        raise MomentError(_NOT_A_MOMENT)
    if seconds > MOMENT_MAX_SECONDS:
        raise MomentError("That moment is past the end of the recording.")
    return seconds


def moment_format(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on (the player's clock); a fraction is rounded down."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def duration_format(*, ms: int | None) -> str | None:
    """A length in milliseconds on the player's clock (`moment_format`); None when unknown."""
    if ms is None or ms < 0:
        return None
    return moment_format(ms // 1000)


def seconds_exact_format(*, ms: int | None) -> str:
    """A length in milliseconds as seconds with their fraction: `57.785`, `58`; "" when unknown
    or not positive."""
    if ms is None or ms <= 0:
        return ""
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


def webvtt_time_format(*, ms: int) -> str:
    """A moment in WebVTT's cue timing form, `hh:mm:ss.mmm` (hours never left out)."""
    total_seconds, millis = divmod(max(0, ms), 1000)
    hours, rest = divmod(total_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
