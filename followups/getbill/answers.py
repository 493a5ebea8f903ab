"""GetBill's answers, shared by everyone through Django's cache (Redis in production).

The whole company shares one GetBill client and its 1,000 reads an hour, so an answer one
person's page needed is kept for the next: a reload, going back, the side panel of a followup
whose debt was just seen, a colleague opening the same call. What is kept is the parsed,
validated result (a `Followup`, a `FollowupPage`...), never a raw response, under a key made
of what was asked for (`AnswerKey`: a resource name, IDs and page numbers), never a signed
link. Masking is not done here: the cache holds what GetBill said, and the services restrict
it for each user after reading it, as they do for a fresh answer.

- Fresh for GETBILL_CACHE_SECONDS, and never past the earliest expiry of the answer's media
  links minus MEDIA_LINK_MARGIN_SECONDS, so a page built from the cache never hands the player
  a link about to die.
- Single flight: one request to GetBill per key at a time, across threads and processes (an
  atomic `cache.add` lock). Those who find the lock wait for that request's outcome, polling
  the cache within their own deadline; a crashed holder's lock expires after one deadline.
- Stale on failure: when GetBill fails (5xx or an unusable answer, timeout, 429, unreachable),
  a copy not older than GETBILL_STALE_SECONDS is returned marked STALE, without media links
  that have expired (or are about to), for the page to say so.
- 404s are kept for NOT_FOUND_SECONDS. Other errors are never kept.
- Under GETBILL_QUOTA_RESERVE (GetBill's remaining quota as last seen) any kept copy is served
  rather than asking, and what can be skipped is, so lookups of new followups keep working.

Another resource is cached by naming its key: `answer_get(key=AnswerKey("debt", (debt_id,)),
fetch=lambda: debt_get(debt_id=debt_id))`. Media links anywhere in the result (a `Followup`,
or dataclasses and tuples holding some) are found on their own.
"""

import dataclasses
import enum
import logging
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from followups.getbill.config import config_get
from followups.getbill.errors import (
    AccessDeniedError,
    GetBillError,
    NotFoundError,
    RateLimitedError,
    Subject,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from followups.getbill.quota import rate_limit_status_get

logger = logging.getLogger(__name__)

T = TypeVar("T")

# static/js/player.js renews a signed link min(60 s, 10 % of its time left) before it expires:
# an answer is fresh only while its links have more than that left, plus a minute for the page
# to reach the browser and the player to start. A page built from the cache therefore gives the
# player at least this long, and the player renews in time from there.
PLAYER_RENEWAL_MARGIN_MAX_SECONDS = 60
MEDIA_LINK_MARGIN_SECONDS = PLAYER_RENEWAL_MARGIN_MAX_SECONDS + 60
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
_WAIT_POLL_SECONDS = 0.05
# How long a finished request's outcome stays for those who were waiting on it.
_OUTCOME_SECONDS = 30
_KEY_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


class AnswerSource(enum.StrEnum):
    """Where an answer came from; the values are the audit trail's `AuditSource` values."""

    GETBILL = "getbill"
    CACHE = "cache"
    STALE = "stale"


class AnswerMode(enum.Enum):
    """What the caller can live with."""

    # A page: a fresh kept copy, else GetBill; under the reserve any kept copy.
    CACHED = "cached"
    # Something that can be left out (the detail page's side panel): as CACHED, but under the
    # reserve without a kept copy it is skipped (QuotaReserveSkippedError).
    OPTIONAL = "optional"
    # "Refresh from GetBill": asks GetBill; under the reserve a kept copy instead.
    REFRESH = "refresh"
    # New signed links (the player's renewal): always GetBill, no copy stands in.
    FRESH = "fresh"


class QuotaReserveSkippedError(GetBillError):
    """Left out to keep the company's last GetBill requests for lookups of new followups."""

    status_code = 503
    default_message = (
        "Not loaded: the company's GetBill quota is nearly used up, and what is left is kept "
        "for looking followups up."
    )
    title = "GetBill quota nearly used up"
    audit_outcome = "rate_limited"
    audit_words = "Skipped: GetBill's quota under the reserve"
    audit_shows_status = False


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
class _Entry:
    value: object
    fetched_at: float
    fresh_until: float
    # A kept 404: `value` is None.
    not_found: NotFoundError | None = None


class _RequestRefusedError(Exception):
    """`before_request` refused: its own error, never covered by a stale copy."""

    def __init__(self, error: Exception) -> None:
        self.error = error


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


def _entry_read(cache_key: str) -> _Entry | None:
    entry = cache.get(cache_key)
    return entry if isinstance(entry, _Entry) else None


def _entry_store(*, cache_key: str, value: object, now: float) -> _Entry:
    fresh_until = now + settings.GETBILL_CACHE_SECONDS
    expiries = _media_expiries(value, fetched_at=now)
    if expiries:
        fresh_until = min(fresh_until, min(expiries) - MEDIA_LINK_MARGIN_SECONDS)
    entry = _Entry(value=value, fetched_at=now, fresh_until=fresh_until)
    kept = max(fresh_until - now, settings.GETBILL_STALE_SECONDS)
    if kept > 0:
        cache.set(cache_key, entry, timeout=math.ceil(kept))
    return entry


def _related_store(*, related: Iterable[tuple[AnswerKey, object]], prefix: str, now: float) -> None:
    """Keep what an answer also told about other resources, unless a newer answer is kept."""
    for key, value in related:
        cache_key = key.cache_key(prefix=prefix)
        kept = _entry_read(cache_key)
        if kept is None or kept.fetched_at < now:
            _entry_store(cache_key=cache_key, value=value, now=now)


def _not_found_store(*, cache_key: str, error: NotFoundError) -> None:
    # Also replaces a kept copy: GetBill says it is gone, so no stale copy may bring it back.
    now = time.time()
    entry = _Entry(value=None, fetched_at=now, fresh_until=now + NOT_FOUND_SECONDS, not_found=error)
    cache.set(cache_key, entry, timeout=NOT_FOUND_SECONDS)


def _answer(entry: _Entry, source: AnswerSource, **extra: Any) -> Answer[Any]:
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


def _copy_usable(entry: _Entry | None) -> bool:
    return (
        entry is not None
        and entry.not_found is None
        and time.time() < entry.fetched_at + settings.GETBILL_STALE_SECONDS
    )


def quota_under_reserve() -> bool:
    """True when GetBill's remaining quota, as last seen by any worker, is under
    GETBILL_QUOTA_RESERVE (and the hour it was counted in has not ended)."""
    status = rate_limit_status_get()
    if status is None or status.remaining is None:
        return False
    if status.reset_at is not None and status.reset_at.timestamp() <= time.time():
        return False
    return bool(status.remaining < settings.GETBILL_QUOTA_RESERVE)


# --- Single flight ---------------------------------------------------------------------------


def _flight(
    *,
    cache_key: str,
    fetch: Callable[[], object],
    before_request: Callable[[], None] | None,
    related: Callable[[Any], Iterable[tuple[AnswerKey, object]]] | None,
    prefix: str,
    wait_seconds: float,
) -> tuple[_Entry, bool]:
    """One request to GetBill for `cache_key` at a time; (the entry, True if this call made the
    request). Raises the request's GetBillError, also to those who waited for it."""
    lock_key = f"{cache_key}:flight"
    give_up = time.monotonic() + wait_seconds
    while True:
        flight = secrets.token_hex(8)
        # Held at most as long as a lookup may last (plus a second), so a crashed holder
        # blocks nobody for longer.
        if cache.add(lock_key, flight, timeout=math.ceil(wait_seconds) + 1):
            return _flight_hold(
                cache_key=cache_key,
                lock_key=lock_key,
                flight=flight,
                fetch=fetch,
                before_request=before_request,
                related=related,
                prefix=prefix,
            ), True
        holder = cache.get(lock_key)
        if holder is None:
            continue  # released meanwhile: take it, or find what it left
        outcome = _outcome_wait(cache_key=cache_key, flight=str(holder), give_up=give_up)
        if isinstance(outcome, GetBillError):
            raise outcome
        if outcome is not None:
            return outcome, False
        if time.monotonic() >= give_up:
            raise UpstreamTimeoutError()


def _outcome_key(cache_key: str, flight: str) -> str:
    return f"{cache_key}:outcome:{flight}"


def _flight_hold(
    *,
    cache_key: str,
    lock_key: str,
    flight: str,
    fetch: Callable[[], object],
    before_request: Callable[[], None] | None,
    related: Callable[[Any], Iterable[tuple[AnswerKey, object]]] | None,
    prefix: str,
) -> _Entry:
    outcome_key = _outcome_key(cache_key, flight)
    try:
        if before_request is not None:
            try:
                before_request()
            except Exception as error:
                # The holder's own refusal (its per-user limit): those waiting try themselves.
                raise _RequestRefusedError(error) from None
        try:
            value = fetch()
        except NotFoundError as error:
            _not_found_store(cache_key=cache_key, error=error)
            cache.set(outcome_key, error, timeout=_OUTCOME_SECONDS)
            raise
        except AccessDeniedError as error:
            # GetBill denies it now: no kept copy may show it later.
            cache.delete(cache_key)
            cache.set(outcome_key, error, timeout=_OUTCOME_SECONDS)
            raise
        except GetBillError as error:
            cache.set(outcome_key, error, timeout=_OUTCOME_SECONDS)
            raise
        now = time.time()
        entry = _entry_store(cache_key=cache_key, value=value, now=now)
        if related is not None:
            _related_store(related=related(value), prefix=prefix, now=now)
        cache.set(outcome_key, "done", timeout=_OUTCOME_SECONDS)
        return entry
    finally:
        if cache.get(lock_key) == flight:
            cache.delete(lock_key)


def _outcome_wait(*, cache_key: str, flight: str, give_up: float) -> _Entry | GetBillError | None:
    """Wait for flight `flight` to end: its entry, its error, or None when it ended without
    either (its holder crashed, or was refused) or time ran out."""
    lock_key = f"{cache_key}:flight"
    outcome_key = _outcome_key(cache_key, flight)
    while time.monotonic() < give_up:
        outcome = cache.get(outcome_key)
        if isinstance(outcome, GetBillError):
            return outcome
        if outcome == "done":
            return _entry_read(cache_key)
        if cache.get(lock_key) != flight:
            # Ended: the outcome may have been written just before the lock went.
            outcome = cache.get(outcome_key)
            if isinstance(outcome, GetBillError):
                return outcome
            return _entry_read(cache_key) if outcome == "done" else None
        time.sleep(min(_WAIT_POLL_SECONDS, max(0.0, give_up - time.monotonic())))
    return None


# --- The one way in ------------------------------------------------------------------------------


def answer_get(
    *,
    key: AnswerKey,
    fetch: Callable[[], T],
    mode: AnswerMode = AnswerMode.CACHED,
    before_request: Callable[[], None] | None = None,
    subject: Subject = "followup",
    related: Callable[[T], Iterable[tuple[AnswerKey, object]]] | None = None,
) -> Answer[T]:
    """The answer for `key`: kept, or from `fetch()` (which asks GetBill), as `mode` allows.

    `before_request` runs only when this call is about to ask GetBill itself (not on a cache
    hit, nor when it waits for someone else's identical request): the place for a per-user
    limit, whose error is raised as it is. `subject` names what is looked up in errors raised
    here. `related` lists what a new answer also tells about other resources, to keep under
    their own keys (the followups of a debt's page, each under its ID). Raises `fetch`'s
    GetBillError subclasses when no kept copy stands in, and QuotaReserveSkippedError for an
    OPTIONAL answer under the reserve.
    """
    config = config_get()
    cache_key = key.cache_key(prefix=config.cache_prefix)
    entry = _entry_read(cache_key)
    cached_wanted = mode in (AnswerMode.CACHED, AnswerMode.OPTIONAL)
    if cached_wanted and entry is not None and time.time() < entry.fresh_until:
        if entry.not_found is not None:
            raise entry.not_found
        return _answer(entry, AnswerSource.CACHE)
    if mode is not AnswerMode.FRESH and quota_under_reserve():
        if entry is not None and _copy_usable(entry):
            fresh = time.time() < entry.fresh_until
            source = AnswerSource.CACHE if fresh else AnswerSource.STALE
            return _answer(entry, source, quota_reserve=True)
        if mode is AnswerMode.OPTIONAL:
            raise QuotaReserveSkippedError(subject=subject)
    try:
        fetched, asked = _flight(
            cache_key=cache_key,
            fetch=fetch,
            before_request=before_request,
            related=related,
            prefix=config.cache_prefix,
            wait_seconds=config.deadline,
        )
    except _RequestRefusedError as refused:
        raise refused.error from None
    except STALE_COVERED as error:
        entry = _entry_read(cache_key)
        if mode is AnswerMode.FRESH or not _copy_usable(entry):
            raise
        assert entry is not None
        logger.warning(
            "GetBill failed (%s); showing a copy fetched %.0f s ago",
            type(error).__name__,
            time.time() - entry.fetched_at,
        )
        return _answer(entry, AnswerSource.STALE, failure=error)
    return _answer(fetched, AnswerSource.GETBILL if asked else AnswerSource.CACHE)


def answers_combined(answers: Sequence[Answer[Any]], *, value: T) -> Answer[T]:
    """One answer for `value`, made of `answers` (the pages of a debt, say): a stale copy if
    any part was one, else from GetBill if any part asked it, else from the cache; fetched
    when the oldest part was."""
    sources = {answer.source for answer in answers}
    source = next(
        (s for s in (AnswerSource.STALE, AnswerSource.GETBILL) if s in sources), AnswerSource.CACHE
    )
    return Answer(
        value=value,
        source=source,
        fetched_at=min(answer.fetched_at for answer in answers),
        failure=next((a.failure for a in answers if a.failure is not None), None),
        quota_reserve=any(answer.quota_reserve for answer in answers),
        media_removed=any(answer.media_removed for answer in answers),
    )
