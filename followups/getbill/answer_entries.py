"""A kept answer: its key, its entry in the shared cache, and the rules that say when a copy
is fresh, when it may stand in for a failure (stale), and which of its media links are too close
to expiry to hand to the player. `answers.py` describes the cache as a whole.
"""

import dataclasses
import enum
import logging
import math
import pickle
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from followups.getbill.errors import (
    GetBillError,
    NotFoundError,
    RateLimitedError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The dashboard's stable media addresses (the recording, the letter's PDF) redirect to a link
# from a kept answer: an answer is fresh only while its links have more than this left, so the
# browser gets a link it can start reading, not one about to die (the player loads the address
# again when a link dies mid-play, which a longer margin makes rarer).
MEDIA_LINK_MARGIN_SECONDS = 120
# GetBill documents its signed links as valid one hour; an answer whose links come without a
# usable `media_urls_expire_at` is assumed to have that long from when it was fetched.
MEDIA_LINK_LIFETIME_SECONDS = 3600
# A 404 is kept this long: a mistyped ID reloaded, or a side panel for a debt GetBill does not
# have, then costs nothing, while a followup that appears in GetBill shortly after is found
# within a minute ("Refresh from GetBill" asks at once).
NOT_FOUND_SECONDS = 60
# Failures a kept copy stands in for: GetBill not answering, or not usefully. A 404, a 403 or
# a refused ID are GetBill's answers about the resource, not failures, and are never covered.
STALE_COVERED = (
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    RateLimitedError,
)
_KEY_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


class AnswerSource(enum.StrEnum):
    """Where an answer came from; the values are the audit trail's `AuditSource` values."""

    GETBILL = "getbill"
    CACHE = "cache"
    STALE = "stale"


@dataclass(frozen=True)
class AnswerKey:
    """What was asked for: a resource name and its IDs, page numbers or enum values.

    Parts are checked to be plain tokens, so a key never holds a link (signed or not) and
    never collides across resources.
    """

    resource: str
    parts: tuple[str | int, ...]

    def __post_init__(self) -> None:
        for part in (self.resource, *self.parts):
            if isinstance(part, bool) or not (
                isinstance(part, int) or (isinstance(part, str) and _KEY_PART.fullmatch(part))
            ):
                raise ValueError("answer key parts are IDs, numbers or enum values only")

    def cache_key(self, *, prefix: str) -> str:
        return ":".join((prefix, "answer", self.resource, *(str(part) for part in self.parts)))


@dataclass(frozen=True)
class Answer(Generic[T]):
    """An answer and where it came from.

    `failure` is the error a STALE copy stands in for; `quota_reserve` is True when a kept copy
    was served instead of asking because GetBill's quota is under the reserve (then `failure`
    is None).
    """

    value: T
    source: AnswerSource
    fetched_at: datetime
    failure: GetBillError | None = None
    quota_reserve: bool = False
    # True when media links of the kept copy were left out: expired, or about to.
    media_removed: bool = False


@dataclass(frozen=True)
class AnswerEntry:
    value: object
    fetched_at: float
    fresh_until: float
    # A kept 404: `value` is None.
    not_found: NotFoundError | None = None


# Kept copies outlive a deploy in the shared cache (Redis), pickled: one written by a worker of
# another version may not unpickle here (a class moved or changed). That is a miss, never a
# failed page; the cache's own outages (connection errors) are not among these.
_UNREADABLE_ENTRY_ERRORS = (
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    EOFError,
    TypeError,
    ValueError,
)


# --- Media links in a result -------------------------------------------------------------------


def _media_expiries(value: object, *, fetched_at: float) -> list[float]:
    """The expiry (Unix time) of every set of media links in `value`, searched through
    dataclasses and tuples."""
    if isinstance(value, tuple | list):
        return [e for item in value for e in _media_expiries(item, fetched_at=fetched_at)]
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return []
    names = {f.name for f in dataclasses.fields(value)}
    if "media_urls_expire_at" in names:
        if not (getattr(value, "audio_url", None) or getattr(value, "pdf_url", None)):
            return []
        expires_at = value.media_urls_expire_at  # type: ignore[attr-defined]
        if isinstance(expires_at, datetime) and expires_at.tzinfo is not None:
            return [expires_at.timestamp()]
        return [fetched_at + MEDIA_LINK_LIFETIME_SECONDS]
    return [
        e for name in names for e in _media_expiries(getattr(value, name), fetched_at=fetched_at)
    ]


def _media_pruned(value: T, *, fetched_at: float, now: float) -> T:
    """`value` without the media links that expire within MEDIA_LINK_MARGIN_SECONDS of `now`."""
    if isinstance(value, tuple):
        items = tuple(_media_pruned(item, fetched_at=fetched_at, now=now) for item in value)
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value  # type: ignore[return-value]
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    names = {f.name for f in dataclasses.fields(value)}
    if "media_urls_expire_at" in names:
        expiries = _media_expiries(value, fetched_at=fetched_at)
        if expiries and expiries[0] - MEDIA_LINK_MARGIN_SECONDS <= now:
            return dataclasses.replace(
                value, audio_url=None, pdf_url=None, media_urls_expire_at=None
            )
        return value
    changes = {
        name: pruned
        for name in names
        if (pruned := _media_pruned(getattr(value, name), fetched_at=fetched_at, now=now))
        is not getattr(value, name)
    }
    return dataclasses.replace(value, **changes) if changes else value


# --- The cache -----------------------------------------------------------------------------


def entry_read(cache_key: str) -> AnswerEntry | None:
    try:
        entry = cache.get(cache_key)
    except _UNREADABLE_ENTRY_ERRORS as error:
        logger.warning(
            "A kept GetBill answer could not be read (%s); asking again", type(error).__name__
        )
        return None
    return entry if isinstance(entry, AnswerEntry) else None


def entry_store(*, cache_key: str, value: object, now: float) -> AnswerEntry:
    fresh_until = now + settings.GETBILL_CACHE_SECONDS
    expiries = _media_expiries(value, fetched_at=now)
    if expiries:
        fresh_until = min(fresh_until, min(expiries) - MEDIA_LINK_MARGIN_SECONDS)
    entry = AnswerEntry(value=value, fetched_at=now, fresh_until=fresh_until)
    kept = max(fresh_until - now, settings.GETBILL_STALE_SECONDS)
    if kept > 0:
        cache.set(cache_key, entry, timeout=math.ceil(kept))
    return entry


def related_store(*, related: Iterable[tuple[AnswerKey, object]], prefix: str, now: float) -> None:
    """Keep what an answer also told about other resources, unless a newer answer is kept."""
    for key, value in related:
        cache_key = key.cache_key(prefix=prefix)
        kept = entry_read(cache_key)
        if kept is None or kept.fetched_at < now:
            entry_store(cache_key=cache_key, value=value, now=now)


def not_found_store(*, cache_key: str, error: NotFoundError) -> None:
    # Also replaces a kept copy: GetBill says it is gone, so no stale copy may bring it back.
    now = time.time()
    entry = AnswerEntry(
        value=None, fetched_at=now, fresh_until=now + NOT_FOUND_SECONDS, not_found=error
    )
    cache.set(cache_key, entry, timeout=NOT_FOUND_SECONDS)


def entry_answer(entry: AnswerEntry, source: AnswerSource, **extra: Any) -> Answer[Any]:
    value = entry.value
    if source is not AnswerSource.GETBILL:
        value = _media_pruned(value, fetched_at=entry.fetched_at, now=time.time())
    return Answer(
        value=value,
        source=source,
        fetched_at=datetime.fromtimestamp(entry.fetched_at, UTC),
        media_removed=value is not entry.value,
        **extra,
    )


def copy_usable(entry: AnswerEntry | None) -> bool:
    return (
        entry is not None
        and entry.not_found is None
        and time.time() < entry.fetched_at + settings.GETBILL_STALE_SECONDS
    )
