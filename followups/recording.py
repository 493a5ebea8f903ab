"""What the recording player needs from the server: a start time read from a link, and how long
the signed recording link has left.

A `t` value is read by `followups.moments.moment_parse`, as every moment is
(`static/js/player/moments.js` reads `#t=` by the same rules), so a link to a moment means the
same wherever its time is written.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone

from followups.moments import MomentError, moment_parse

# S3 signs links for at most 7 days. A later expiry is not believed: the player renews by then
# anyway, and browsers run a timer longer than about 24.8 days (2**31 ms) at once, which
# would renew the link in a loop.
MAX_LINK_SECONDS_LEFT = 7 * 24 * 3600


def _start_seconds(raw: str | None) -> int | None:
    # Whole seconds written in a `t` value, whatever the recording's length; None if none.
    try:
        seconds = moment_parse(raw=raw)
    except MomentError:
        return None
    return seconds if seconds > 0 else None


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
    try:
        moment_parse(raw=raw)
    except MomentError:
        return True
    return False


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
