"""Reading a moment of a recording as people write it: `75`, `1:15`, `1:02:03`."""

from __future__ import annotations

import re

from reviews.models import MOMENT_MAX_SECONDS

MOMENT_MAX_LENGTH = 12
_SECONDS = re.compile(r"([0-9]{1,6})(?:\.[0-9]{1,3})?", re.ASCII)
_CLOCK = re.compile(r"(?:([0-9]{1,2}):)?([0-9]{1,4}):([0-5][0-9])", re.ASCII)


class MomentError(ValueError):
    """Text that is not a moment; the message says why, for the person who typed it."""


def moment_parse(*, raw: str) -> int:
    """Whole seconds from `75`, `75.4` (cut to 75), `1:15` or `1:02:03`; raises MomentError."""
    text = (raw or "").strip()
    if not text:
        raise MomentError("Give the moment, in seconds or as m:ss.")
    if len(text) > MOMENT_MAX_LENGTH:
        raise MomentError("That is not a moment: write it in seconds or as m:ss.")
    seconds: int | None = None
    if match := _SECONDS.fullmatch(text):
        seconds = int(match.group(1))
    elif match := _CLOCK.fullmatch(text):
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        if match.group(1) is not None and minutes > 59:
            raise MomentError("That is not a moment: minutes go up to 59 in h:mm:ss.")
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds is None:
        if text.startswith("-"):
            raise MomentError("A moment cannot be before the start of the recording.")
        raise MomentError("That is not a moment: write it in seconds or as m:ss.")
    if seconds > MOMENT_MAX_SECONDS:
        raise MomentError("That moment is past the end of the recording.")
    return seconds


def moment_format(seconds: int) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on (the player's clock)."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
