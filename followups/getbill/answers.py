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

Here: `answer_get`, its modes and the quota reserve. A kept entry and its rules (freshness,
media-link expiry, stale copies) are in `answer_entries.py`; the single flight is in
`single_flight.py`.
"""

import enum
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings

from followups.getbill.answer_entries import (
    STALE_COVERED,
    Answer,
    AnswerKey,
    AnswerSource,
    copy_usable,
    entry_answer,
    entry_read,
)
from followups.getbill.config import config_get
from followups.getbill.errors import GetBillError, Subject
from followups.getbill.models import RateLimitStatus
from followups.getbill.quota import rate_limit_status_get
from followups.getbill.single_flight import RequestRefusedError, single_flight_fetch

logger = logging.getLogger(__name__)

T = TypeVar("T")


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
    # A peek (the debt card a QA reviewer may not need): a fresh kept copy only, never
    # GetBill, under the reserve as at any other time; NotKeptError when there is none.
    KEPT = "kept"


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


class NotKeptError(GetBillError):
    """A KEPT answer found no fresh kept copy; GetBill was not asked.

    Nothing was looked at, so callers neither show it as an error nor audit it: they offer to
    ask GetBill instead.
    """

    status_code = 404
    default_message = "Not loaded yet: there is no recent copy, and GetBill was not asked."
    title = "Not loaded yet"
    audit_outcome = "not_found"
    audit_words = "No kept copy; GetBill not asked"
    audit_shows_status = False


def quota_under_reserve() -> bool:
    """True when GetBill's remaining quota, as last seen by any worker, is under
    GETBILL_QUOTA_RESERVE (and the hour it was counted in has not ended)."""
    return quota_status_under_reserve(status=rate_limit_status_get())


def quota_status_under_reserve(*, status: RateLimitStatus | None) -> bool:
    """`quota_under_reserve` for a quota already read (the footer shows it too)."""
    if status is None or status.remaining is None:
        return False
    if status.reset_at is not None and status.reset_at.timestamp() <= time.time():
        return False
    return bool(status.remaining < settings.GETBILL_QUOTA_RESERVE)


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
    OPTIONAL answer under the reserve, NotKeptError for a KEPT one without a fresh copy.
    """
    config = config_get()
    cache_key = key.cache_key(prefix=config.cache_prefix)
    entry = entry_read(cache_key)
    cached_wanted = mode in (AnswerMode.CACHED, AnswerMode.OPTIONAL, AnswerMode.KEPT)
    if cached_wanted and entry is not None and time.time() < entry.fresh_until:
        # A kept 404 is raised to KEPT too: it is GetBill's fresh answer, exactly what CACHED
        # (the card's "Show the debt") would give now without asking, so a peek tells it.
        if entry.not_found is not None:
            raise entry.not_found
        return entry_answer(entry, AnswerSource.CACHE)
    if mode is AnswerMode.KEPT:
        # Stale copies stay for failures and the reserve: a peek that would show an old
        # copy as if current is not what its caller asked for.
        raise NotKeptError(subject=subject)
    if mode is not AnswerMode.FRESH and quota_under_reserve():
        if entry is not None and copy_usable(entry):
            fresh = time.time() < entry.fresh_until
            source = AnswerSource.CACHE if fresh else AnswerSource.STALE
            return entry_answer(entry, source, quota_reserve=True)
        if mode is AnswerMode.OPTIONAL:
            raise QuotaReserveSkippedError(subject=subject)
    try:
        fetched, asked = single_flight_fetch(
            cache_key=cache_key,
            fetch=fetch,
            before_request=before_request,
            related=related,
            prefix=config.cache_prefix,
            wait_seconds=config.deadline,
        )
    except RequestRefusedError as refused:
        raise refused.error from None
    except STALE_COVERED as error:
        entry = entry_read(cache_key)
        if mode is AnswerMode.FRESH or not copy_usable(entry):
            raise
        assert entry is not None
        logger.warning(
            "GetBill failed (%s); showing a copy fetched %.0f s ago",
            type(error).__name__,
            time.time() - entry.fetched_at,
        )
        return entry_answer(entry, AnswerSource.STALE, failure=error)
    return entry_answer(fetched, AnswerSource.GETBILL if asked else AnswerSource.CACHE)


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
