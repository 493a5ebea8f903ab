"""Each user's fair share of the company's GetBill quota: requests to GetBill, not page views.

GetBill allows the company's one OAuth client 1,000 reads an hour, shared by everyone. What a
user spends is a request that really goes to GetBill: pages served from the shared cache, and
lookups that wait for someone else's identical request, cost nothing and are not counted.

The limit, DASHBOARD_GETBILL_REQUESTS_PER_HOUR, runs over a sliding hour: the count of the
current clock hour plus the previous hour's, weighted by how much of it is still inside the
last 60 minutes (the "sliding window counter"). Unlike fixed windows it never lets twice the
limit through across a boundary, and it needs only atomic cache operations (`add`, `incr`,
`decr`) on two counters per user, so every worker process shares it through the cache. It
assumes the previous hour's requests were spread evenly, which errs by a fraction of one
hour's count at most, never by letting a burst double.
"""

import contextlib
import math
import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache

WINDOW_SECONDS = 3600
# A counter is read while the next hour runs, as the previous one; a little more for slow
# requests.
_KEPT_SECONDS = 2 * WINDOW_SECONDS + 60


def _key(*, user_id: object, hour: int) -> str:
    return f"dashboard:getbill-requests:{user_id}:{hour}"


def _counted(key: str) -> int:
    """Count one more in `key` (an atomic increment, created at 1 if missing)."""
    # Incremented first: the counter exists for all but a user's first request of the hour, so
    # this is one cache operation fewer than creating it first every time.
    with contextlib.suppress(ValueError):
        return cache.incr(key)
    if cache.add(key, 1, timeout=_KEPT_SECONDS):
        return 1
    try:
        return cache.incr(key)  # created meanwhile by another request of the same user
    except ValueError:
        # Evicted between add and incr: start it over with this request.
        cache.set(key, 1, timeout=_KEPT_SECONDS)
        return 1


def _wait_seconds(*, limit: int, previous: int, current: int, into: float) -> int:
    """Seconds until one more request fits, given the counts without it."""
    # Inside this hour, the previous one's share shrinks linearly: room appears when
    # previous * (1 - (into + t) / W) + current + 1 <= limit.
    if current + 1 <= limit and previous > 0:
        wait = WINDOW_SECONDS * (1 - (limit - current - 1) / previous) - into
    else:
        # This hour alone is full: wait for the next hour, in which this one's count is the
        # previous hour's and shrinks the same way.
        share = WINDOW_SECONDS * (1 - (limit - 1) / current) if current else 0.0
        wait = WINDOW_SECONDS - into + max(0.0, share)
    return max(1, math.ceil(wait))


def getbill_request_take(*, user: AbstractBaseUser) -> int | None:
    """Count one request to GetBill for `user`: None when allowed, else the seconds to wait.

    Call it only when a request is really about to go to GetBill. A refused request is not
    counted: it never reaches GetBill.
    """
    limit: int = settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR
    now = time.time()
    hour, into = divmod(now, WINDOW_SECONDS)
    current_key = _key(user_id=user.pk, hour=int(hour))
    previous_key = _key(user_id=user.pk, hour=int(hour) - 1)
    # Counted first, checked after: two workers taking at once cannot both slip under the limit.
    current = _counted(current_key)
    previous = cache.get(previous_key, 0)
    if previous * (1 - into / WINDOW_SECONDS) + current <= limit:
        return None
    # Evicted meanwhile (ValueError): nothing left to take back.
    with contextlib.suppress(ValueError):
        cache.decr(current_key)
    return _wait_seconds(limit=limit, previous=previous, current=current - 1, into=into)
