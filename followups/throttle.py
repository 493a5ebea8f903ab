"""A per-user limit on lookups, so one person cannot spend the company's shared GetBill quota.

Fixed one-minute windows counted in Django's cache (shared by every worker when the cache is),
with an atomic add-then-increment, checked before any request to GetBill. Fixed windows let a
user make up to twice the limit across a window boundary; that is still far below GetBill's
quota, and keeps the check to one cache round trip.
"""

import math
import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache

WINDOW_SECONDS = 60


def _key(*, user_id: object, window: int) -> str:
    return f"dashboard:lookups:{user_id}:{window}"


def lookup_quota_take(*, user: AbstractBaseUser) -> int | None:
    """Count one lookup for `user`: None when allowed, else the seconds to wait before the next.

    A refused attempt counts too, which does not change when the window ends.
    """
    limit: int = settings.DASHBOARD_LOOKUPS_PER_MINUTE
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = _key(user_id=user.pk, window=window)
    # The key outlives its window a little, so a slow request still finds it.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr: start the window over with this lookup.
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
