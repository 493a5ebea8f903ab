"""Single flight: one request to GetBill per answer key at a time, across threads and processes.

The holder of an atomic `cache.add` lock asks GetBill and leaves its outcome (done, or the
error) in the cache; those who find the lock wait for that outcome, polling the cache within
their own deadline, rather than asking GetBill the same thing again. A crashed holder's lock
expires after one deadline.
"""

import functools
import math
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache

from dashboard.after_response import after_response
from followups.getbill.answer_entries import (
    AnswerEntry,
    AnswerKey,
    entry_read,
    entry_store,
    not_found_store,
    related_store,
)
from followups.getbill.errors import (
    AccessDeniedError,
    GetBillError,
    NotFoundError,
    UpstreamTimeoutError,
)

_WAIT_POLL_SECONDS = 0.05
# How long a finished request's outcome stays for those who were waiting on it.
_OUTCOME_SECONDS = 30


class RequestRefusedError(Exception):
    """`before_request` refused: its own error, never covered by a stale copy."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def single_flight_fetch(
    *,
    cache_key: str,
    fetch: Callable[[], object],
    before_request: Callable[[], None] | None,
    related: Callable[[Any], Iterable[tuple[AnswerKey, object]]] | None,
    prefix: str,
    wait_seconds: float,
) -> tuple[AnswerEntry, bool]:
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
) -> AnswerEntry:
    outcome_key = _outcome_key(cache_key, flight)
    try:
        if before_request is not None:
            try:
                before_request()
            except Exception as error:
                # The holder's own refusal (its per-user limit): those waiting try themselves.
                raise RequestRefusedError(error) from None
        try:
            value = fetch()
        except NotFoundError as error:
            not_found_store(cache_key=cache_key, error=error)
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
        entry = entry_store(cache_key=cache_key, value=value, now=now)
        if related is not None:
            related_store(related=related(value), prefix=prefix, now=now)
        cache.set(outcome_key, "done", timeout=_OUTCOME_SECONDS)
    except BaseException:
        _flight_release(lock_key=lock_key, flight=flight)
        raise
    # Answered: the outcome tells anyone waiting, and anyone coming before the lock goes waits
    # for that outcome too, so the lock is let go once the page is sent (two cache round trips
    # the user does not wait for).
    after_response(functools.partial(_flight_release, lock_key=lock_key, flight=flight))
    return entry


def _flight_release(*, lock_key: str, flight: str) -> None:
    if cache.get(lock_key) == flight:
        cache.delete(lock_key)


def _outcome_wait(
    *, cache_key: str, flight: str, give_up: float
) -> AnswerEntry | GetBillError | None:
    """Wait for flight `flight` to end: its entry, its error, or None when it ended without
    either (its holder crashed, or was refused) or time ran out."""
    lock_key = f"{cache_key}:flight"
    outcome_key = _outcome_key(cache_key, flight)
    while time.monotonic() < give_up:
        outcome = cache.get(outcome_key)
        if isinstance(outcome, GetBillError):
            return outcome
        if outcome == "done":
            return entry_read(cache_key)
        if cache.get(lock_key) != flight:
            # Ended: the outcome may have been written just before the lock went.
            outcome = cache.get(outcome_key)
            if isinstance(outcome, GetBillError):
                return outcome
            return entry_read(cache_key) if outcome == "done" else None
        time.sleep(min(_WAIT_POLL_SECONDS, max(0.0, give_up - time.monotonic())))
    return None
