"""The per-process cache, announcing the keys that any thread reads, so that a test can wait
until another thread has reached a step (a lookup waiting for another's request polls for its
outcome) instead of sleeping and hoping it has."""

import threading
from typing import Any

from django.core.cache.backends.locmem import LocMemCache

_read = threading.Condition()
_keys_read: list[str] = []


class ReadsAnnouncedCache(LocMemCache):
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        value = super().get(key, default, version)
        with _read:
            _keys_read.append(str(key))
            _read.notify_all()
        return value


def cache_reads_forget() -> None:
    with _read:
        _keys_read.clear()


def cache_read_wait(*, containing: str, timeout: float = 5.0) -> bool:
    """Whether some thread read a key containing `containing` (since the last forget), waiting
    for one up to `timeout` seconds."""
    with _read:
        return _read.wait_for(lambda: any(containing in key for key in _keys_read), timeout)
