"""GetBill IDs: the one cleaner and validator, and the value type of an ID that passed it."""

import re

from followups.getbill.errors import InvalidIdError, Subject

MAX_ID_LENGTH = 64

# Pasted IDs often carry spaces, line breaks or non-breaking spaces around them.
_ID_STRIPPED = " \t\r\n\f\v\u00a0\u2007\u202f\u200b\ufeff"
_ID_RE = re.compile(r"[A-Za-z0-9_-]+")


class GetBillId(str):
    """A string that passed `getbill_id_clean`: safe in an upstream path, a link or the audit
    trail. Made only by the cleaner, so holding one means the check was done."""

    __slots__ = ()


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
        raise InvalidIdError(subject=subject)
    return GetBillId(candidate)


def id_is_valid(value: object) -> bool:
    """True for a string that is already a GetBill ID as it stands (nothing to strip)."""
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and bool(_ID_RE.fullmatch(value))
