"""The Redis cache keeps one client per connection pool, and the settings choose it."""

import threading

from dashboard.redis_cache import PooledClientRedisCache, PooledClientRedisCacheClient
from tests.support.processes import clean_environment, free_port, python_run


def _client(servers: str) -> PooledClientRedisCacheClient:
    # Nothing listens there: making clients never connects.
    cache = PooledClientRedisCache(servers, {})
    client = cache._cache
    assert isinstance(client, PooledClientRedisCacheClient)
    return client


def test_every_call_of_a_thread_or_another_uses_the_same_client():
    client = _client(f"redis://127.0.0.1:{free_port()}/0")
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(client.get_client())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {id(c) for c in seen} == {id(client.get_client(write=True))}


def test_each_server_keeps_its_own_client():
    first, second = (f"redis://127.0.0.1:{free_port()}/0" for _ in range(2))
    client = _client(f"{first},{second}")
    writer, reader = client.get_client(write=True), client.get_client(write=False)
    assert writer is not reader
    assert writer.connection_pool is not reader.connection_pool


_BACKEND_PROBE = """
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
print(settings.CACHES["default"]["BACKEND"], type(cache._cache).__name__)
"""


def test_a_redis_cache_url_is_served_by_the_pooled_client_backend():
    environment = {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "CACHE_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    result = python_run("-c", _BACKEND_PROBE, env=environment)
    assert result.returncode == 0, result.stderr
    backend, client = result.stdout.split()
    assert backend == "dashboard.redis_cache.PooledClientRedisCache"
    assert client == PooledClientRedisCacheClient.__name__
