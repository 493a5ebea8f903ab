"""The three readers every value from GetBill goes through, here and nowhere else, so that no
template, filter or later computation ever sees a raw value:

- `int_read`: integers (headers, `expires_in`, `retry_after`, counts, pagination, lengths);
- `datetime_read`: moments, which can then be shown in any time zone;
- `text_clean`: text, made valid, free of control characters and of secrets.

And the two readers of a whole body: `json_object` and `message_clean` (GetBill's error
message, fit to show).
"""

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from dashboard.logging import secrets_redact

MAX_MESSAGE_LENGTH = 200

# --- Integers -------------------------------------------------------------------------------
# Python's int() and str.isdigit() accept far more than ASCII digits (superscripts, Arabic-Indic
# or fullwidth digits) and numbers of any length (whose conversion takes time, or fails past
# 4,300 digits). GetBill's integers are counts, seconds and timestamps: 18 digits hold them all
# and fit in a 64-bit integer, and nothing longer is believed.
INT_MAX_DIGITS = 18
_ASCII_DIGITS = re.compile(rf"[0-9]{{1,{INT_MAX_DIGITS}}}")


def int_read(value: object, *, minimum: int = 0, from_text: bool = False) -> int | None:
    """A whole number from GetBill, or None when `value` is not one.

    Accepted: a JSON integer, a JSON number with no fraction (`3600.0`), and, `from_text`
    (headers, and fields some servers send quoted, like `"expires_in": "3600"`), text of ASCII
    digits with optional surrounding spaces; below 10**INT_MAX_DIGITS and at least `minimum`.
    Refused: booleans, fractions, NaN and infinities, and as text signs, exponents, Unicode
    digits and anything longer.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str) and from_text:
        text = value.strip(" \t")
        if not _ASCII_DIGITS.fullmatch(text):
            return None
        value = int(text)
    if not isinstance(value, int) or not minimum <= value < 10**INT_MAX_DIGITS:
        return None
    return value


# --- Moments --------------------------------------------------------------------------------
# Python's datetime covers years 1 to 9999: a moment within a day of either end has no local
# time in some zone (every zone's offset is under a day), and showing it fails. Such moments
# are not GetBill's anyway; they are read as unknown.
_MOMENT_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_MOMENT_LATEST = datetime(9999, 12, 30, tzinfo=UTC)
_MOMENT_MAX_LENGTH = 64


def datetime_read(value: object) -> datetime | None:
    """An ISO 8601 moment with its UTC offset, that can be shown in any time zone; None for
    anything else (no offset, not ASCII, not a date, too close to the calendar's ends)."""
    if not isinstance(value, str) or len(value) > _MOMENT_MAX_LENGTH or not value.isascii():
        return None
    try:
        parsed = datetime.fromisoformat(value)
        # Without an offset the moment is ambiguous; "unknown" beats a wrong time.
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return None
        moment = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed if _MOMENT_EARLIEST <= moment <= _MOMENT_LATEST else None


def datetime_from_timestamp(seconds: int) -> datetime | None:
    """The moment of a Unix timestamp (X-RateLimit-Reset), on the same terms as
    `datetime_read`: None when it could not be shown in every time zone."""
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if _MOMENT_EARLIEST <= moment <= _MOMENT_LATEST else None


# --- Text -----------------------------------------------------------------------------------
# Lone surrogates (valid JSON escapes, invalid Unicode: they fail when the page is encoded or
# saved) and noncharacters become U+FFFD.
_NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
_INVALID_UNICODE = re.compile(f"[\\ud800-\\udfff\\ufdd0-\\ufdef{_NONCHARACTERS}]")
# Removed: C0 controls but tab and line feed, DEL, C1 controls (ESC sequences, the C1 CSI),
# the bidirectional embeddings, overrides and isolates (they reorder what is shown around a
# value), and invisible characters that glue or hide text: zero-width space, word joiner, BOM.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_WHITESPACE = re.compile(r"\s+")
TRUNCATION_MARK = "…"
# Longer than any secret redaction knows of (access tokens are at most 8,192 characters).
_REDACTION_MARGIN = 16_384


def text_clean(value: str, *, max_length: int, one_line: bool = False) -> str:
    """Text from GetBill made safe to show, save and log: invalid Unicode replaced, control
    and invisible formatting characters removed, line breaks made "\n" (or, `one_line`, all
    white space runs one space), secrets (tokens, the client secret, signed links' queries)
    redacted, and at most `max_length` characters."""
    # What is past the cut is never shown: it is not worked on either (a 2 MB field would
    # take a second), beyond a margin that keeps a secret at the cut whole until redacted.
    text = _INVALID_UNICODE.sub("\ufffd", value[: max_length + _REDACTION_MARGIN])
    text = _LINE_BREAKS.sub("\n", text)
    text = secrets_redact(_CONTROLS.sub("", text))
    if one_line:
        text = _WHITESPACE.sub(" ", text).strip()
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + TRUNCATION_MARK
    return text


def json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        payload = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def message_clean(message: object) -> str | None:
    """GetBill's error message, made safe to show: clean text on one line, capped."""
    if not isinstance(message, str):
        return None
    return text_clean(message, max_length=MAX_MESSAGE_LENGTH, one_line=True) or None
