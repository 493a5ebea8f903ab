"""The sandbox answering like a GetBill far away: each API and token request waits
BENCH_UPSTREAM_LATENCY_MS (default 150) before it is answered. Served by gunicorn for
`bench/load.py` (`gunicorn bench.slow_upstream:application`)."""

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from dashboard.wsgi import application as project_application

# A load run makes more requests in a minute than GetBill's hourly quota allows.
settings.SANDBOX_RATE_LIMIT = 1_000_000
_LATENCY_SECONDS = int(os.environ.get("BENCH_UPSTREAM_LATENCY_MS", "150")) / 1000
_DELAYED = ("/sandbox/external-api/", "/sandbox/token")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "").startswith(_DELAYED):
        time.sleep(_LATENCY_SECONDS)
    return project_application(environ, start_response)
