"""GetBill IDs: the one cleaner and validator, and the value type of an ID that passed it."""

import re
import unicodedata

from followups.getbill.errors import InvalidIdError, Subject

MAX_ID_LENGTH = 64

# Pasted IDs often carry spaces, line breaks or non-breaking spaces around them.
_ID_STRIPPED = " \t\r\n\f\v\u00a0\u2007\u202f\u200b\ufeff"
_ID_RE = re.compile(r"[A-Za-z0-9_-]+")
# A word as a reader sees it: letters and digits of any script, and the invisible characters
# that can sit inside a word (soft hyphen, zero-width characters, word joiner, BOM).
_WORD_RE = re.compile(r"[\w\-\u00ad\u200b-\u200f\u2060-\u2064\ufeff]+")
_NOT_ID_CHARACTER = re.compile(r"[^A-Za-z0-9_-]")
# Shortest ASCII part of a word taken for an ID with a foreign character glued inside.
_GLUED_ID_MIN_LENGTH = 4


class GetBillId(str):
    """A string that passed `getbill_id_clean`: safe in an upstream path, a link or the audit
    trail. Made only by the cleaner, so holding one means the check was done."""

    __slots__ = ()


def id_glued_character(*, text: str) -> str | None:
    """The first character of `text` that no GetBill ID has but that sits inside a word which,
    without it, reads as an ID: a look-alike letter of another script (a Cyrillic "a"), an
    invisible character (zero-width space) or a full-width digit. None when there is none.

    Such a character splits what a reader sees as one ID, so reading only the ASCII part would
    open another followup than the one pasted.
    """
    for word in _WORD_RE.findall(text):
        if word.isascii():
            continue
        ascii_part = _NOT_ID_CHARACTER.sub("", word)
        has_digit = any(char.isdigit() for char in ascii_part)
        if len(ascii_part) >= _GLUED_ID_MIN_LENGTH and has_digit:
            return next(char for char in word if not char.isascii())
    return None


def id_glued_message(*, character: str, subject: Subject = "followup") -> str:
    """What to tell someone whose pasted ID holds `character` (see `id_glued_character`)."""
    name = unicodedata.name(character, "unnamed character")
    return (
        f"That {subject} ID contains U+{ord(character):04X} {name}, which GetBill IDs never "
        "contain (a look-alike letter, an invisible character or a full-width digit). "
        "Type the ID again, or copy it from GetBill."
    )


def getbill_id_clean(*, raw: str, subject: Subject = "followup") -> GetBillId:
    """The ID with surrounding whitespace removed, or InvalidIdError (naming `subject`).

    GetBill's IDs are opaque tokens of letters, digits, '-' and '_'. Anything else (slashes,
    dots, '?', '#', '%', control or non-ASCII characters, very long input) could change the
    upstream URL or is simply not an ID, so it never reaches GetBill. An ID cleaned before is
    returned as it is.
    """
    if isinstance(raw, GetBillId):
        return raw
    if not isinstance(raw, str):
        raise InvalidIdError(subject=subject)
    candidate = raw.strip(_ID_STRIPPED)
    if not id_is_valid(candidate):
        glued = id_glued_character(text=candidate) if len(candidate) <= MAX_ID_LENGTH else None
        message = None if glued is None else id_glued_message(character=glued, subject=subject)
        raise InvalidIdError(message, subject=subject)
    return GetBillId(candidate)


def id_is_valid(value: object) -> bool:
    """True for a string that is already a GetBill ID as it stands (nothing to strip)."""
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and bool(_ID_RE.fullmatch(value))
