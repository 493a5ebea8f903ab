"""Django's Redis cache, with one Redis client per connection pool for the process's life.

Django's own backend builds a new `redis.Redis` for every cache call, and each one fills its
table of about two hundred response callbacks: a page makes five cache calls or so, and under
a team's load that work is a visible part of a page's time. A client is safe to share between
threads (each command borrows a connection from the pool), and the pool itself already lives
as long as the process, so keeping the client changes nothing else: connections, timeouts and
reconnection after a Redis restart stay the pool's.
"""

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}
        self._clients_lock = threading.Lock()

    # `_get_connection_pool` and `_client` are Django 5.2's own (not in its type stubs); the
    # tests of this module fail if a Django upgrade changes them. Django makes a server's pool
    # on first use without a lock, so two threads' first calls could each make one (and then a
    # client each): the pool is looked up under the same lock as its client. The lock is held
    # for a dictionary lookup, except on the first call.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        with self._clients_lock:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients.get(id(pool))
            if client is None:
                client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
                self._clients[id(pool)] = client
        return client


class PooledClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with `PooledClientRedisCacheClient`."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
