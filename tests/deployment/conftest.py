from typing import Any

import pytest

from tests.support.processes import free_port


@pytest.fixture
def closed_port_cache(settings: Any) -> None:
    """A Redis cache on a loopback port nothing listens on: every cache call fails."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
