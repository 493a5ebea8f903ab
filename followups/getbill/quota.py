"""The company's GetBill quota as GetBill reports it (X-RateLimit-* headers), and how long a
refused request has to wait (Retry-After)."""

import logging
import math
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
from django.core.cache import cache

from followups.getbill.config import GetBillConfig, config_get
from followups.getbill.errors import UpstreamUnavailableError
from followups.getbill.models import RateLimitStatus
from followups.getbill.readers import datetime_from_timestamp, int_read

logger = logging.getLogger(__name__)

# The longest wait or cache lifetime believed from GetBill's headers.
_MAX_SECONDS = 86400


def _rate_limit_key(config: GetBillConfig) -> str:
    return f"{config.cache_prefix}:rate-limit"


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    return int_read(headers.get(name), from_text=True)


def _reset_at(reset: int | None) -> datetime | None:
    if reset is None:
        return None
    # Documented as a Unix timestamp; small values can only be a number of seconds to wait.
    timestamp = reset if reset >= 1_000_000_000 else math.floor(time.time()) + reset
    return datetime_from_timestamp(timestamp)


def rate_limit_record(*, config: GetBillConfig, response: httpx.Response) -> None:
    """Keep the quota a response reports, for every worker (the footer shows it), unless a
    later count is kept already."""
    headers = response.headers
    limit = _header_int(headers, "X-RateLimit-Limit")
    remaining = _header_int(headers, "X-RateLimit-Remaining")
    reset_at = _reset_at(_header_int(headers, "X-RateLimit-Reset"))
    window = _header_int(headers, "X-RateLimit-Window")
    if response.status_code == 429 and remaining is None:
        remaining = 0
    if limit is None and remaining is None and reset_at is None and window is None:
        return
    status = RateLimitStatus(
        limit=limit, remaining=remaining, reset_at=reset_at, window_seconds=window
    )
    if remaining is not None and limit is not None and remaining <= limit // 10:
        logger.warning("GetBill quota running low: %d of %d requests left", remaining, limit)
    key = _rate_limit_key(config)
    kept = cache.get(key)
    if isinstance(kept, RateLimitStatus) and not status.supersedes(kept):
        return  # a concurrent request's later count was recorded first
    cache.set(key, status, timeout=min(window or 3600, _MAX_SECONDS))


def rate_limit_status_get() -> RateLimitStatus | None:
    """The company's GetBill quota as of the last response (any worker's), if known."""
    try:
        config = config_get()
    except UpstreamUnavailableError:
        return None
    status = cache.get(_rate_limit_key(config))
    return status if isinstance(status, RateLimitStatus) else None


def retry_after(*, payload: Mapping[str, Any] | None, response: httpx.Response) -> int | None:
    """Seconds to wait after a 429: GetBill's `details.retry_after`, else Retry-After, else
    until X-RateLimit-Reset; None when it says nothing usable."""
    details = payload.get("details") if payload else None
    seconds = (
        int_read(details.get("retry_after"), from_text=True) if isinstance(details, dict) else None
    )
    if seconds is not None:
        return min(seconds, _MAX_SECONDS)
    header = _header_int(response.headers, "Retry-After")
    if header is not None:
        return min(header, _MAX_SECONDS)
    reset_at = _reset_at(_header_int(response.headers, "X-RateLimit-Reset"))
    if reset_at is None:
        return None
    return min(max(0, math.ceil(reset_at.timestamp() - time.time())), _MAX_SECONDS)
