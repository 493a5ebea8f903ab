"""What the recording player needs from the server: a start time read from a link, and how long
the signed recording link has left.

`static/js/player/moments.js` reads `#t=` with the same rules as `recording_start_parse`, so a
link to a moment means the same wherever its time is written.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from django.utils import timezone

# A link to a moment can be shared widely; anything longer than this is not a time.
MAX_START_LENGTH = 16
# No call lasts a day; a bigger number is a typo or junk, not a position to seek to.
MAX_START_SECONDS = 24 * 3600
# S3 signs links for at most 7 days. A later expiry is not believed: the player renews by then
# anyway, and browsers run a timer longer than about 24.8 days (2**31 ms) at once, which
# would renew the link in a loop.
MAX_LINK_SECONDS_LEFT = 7 * 24 * 3600

# `90`, `90s`, `1:30`, `1:02:03`, `1m30s`, `1h2m3s`; ASCII digits only.
_SECONDS = re.compile(r"([0-9]+)s?", re.ASCII | re.IGNORECASE)
_CLOCK = re.compile(r"(?:([0-9]+):)?([0-9]+):([0-5][0-9])", re.ASCII)
_UNITS = re.compile(
    r"(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?", re.ASCII | re.IGNORECASE
)


def _clock_seconds(match: re.Match[str]) -> int | None:
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if match.group(1) is not None and minutes > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


def _written_seconds(raw: str | None) -> int | None:
    # The seconds a `t` value spells, in any of the accepted forms; None if it spells none.
    if not raw or len(raw) > MAX_START_LENGTH:
        return None
    text = raw.strip()
    if match := _SECONDS.fullmatch(text):
        return int(match.group(1))
    if match := _CLOCK.fullmatch(text):
        return _clock_seconds(match)
    if match := _UNITS.fullmatch(text):
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + secs
    return None


def _start_seconds(raw: str | None) -> int | None:
    # Whole seconds written in a `t` value, whatever the recording's length; None if none.
    seconds = _written_seconds(raw)
    if seconds is None or seconds <= 0 or seconds > MAX_START_SECONDS:
        return None
    return seconds


def _past_end(*, seconds: int, duration_ms: int | None) -> bool:
    return duration_ms is not None and duration_ms > 0 and seconds * 1000 >= duration_ms


def recording_start_parse(*, raw: str | None, duration_ms: int | None = None) -> int | None:
    """Whole seconds to start the recording at, from a `t` value; None when there is none.

    Bad values are ignored rather than refused: a mistyped link still opens the followup, at
    the start. So is a time at or past the end of a recording whose length is known.
    """
    seconds = _start_seconds(raw)
    if seconds is None or _past_end(seconds=seconds, duration_ms=duration_ms):
        return None
    return seconds


def recording_start_past_end(*, raw: str | None, duration_ms: int | None) -> int | None:
    """The moment a `t` value asked for when it is at or past the end of the recording (so
    the player starts at the beginning, and says why); None otherwise."""
    seconds = _start_seconds(raw)
    if seconds is None or not _past_end(seconds=seconds, duration_ms=duration_ms):
        return None
    return seconds


def recording_start_unreadable(*, raw: str | None) -> bool:
    """True when a `t` value was given but is no time the player can start at (`abc`, `1:75`,
    more than a day), so the page can say why it starts from the beginning. An empty value
    and `0` are the beginning itself."""
    if raw is None or not raw.strip():
        return False
    seconds = _written_seconds(raw)
    return seconds is None or seconds > MAX_START_SECONDS


def recording_link_seconds_left(
    *, expires_at: datetime | None, now: datetime | None = None
) -> int | None:
    """Whole seconds until a signed link expires (rounded down, 0 once past, at most
    MAX_LINK_SECONDS_LEFT); None if unknown.

    The page sends this rather than the expiry time itself, so a browser whose clock is wrong
    still renews the link in time.
    """
    if expires_at is None:
        return None
    if timezone.is_naive(expires_at):
        return None
    left = (expires_at - (now or timezone.now())).total_seconds()
    return min(max(0, math.floor(left)), MAX_LINK_SECONDS_LEFT)
