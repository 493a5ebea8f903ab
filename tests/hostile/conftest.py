"""The hostile GetBill on loopback, and the dashboard pointed at it (tests/hostile/harness.py
says what each example checks).

Every example starts from an empty cache (no token, no back-off, no quota figures, no
per-user count), so one example's answers never decide the next one's outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.hostile.answers import CLIENT_ID, CLIENT_SECRET
from tests.hostile.harness import Harness, LogCapture
from tests.hostile.server import API_PATH, TOKEN_PATH, HostileServer
from tests.hostile.server import hostile_serve_in_thread as _serve


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[HostileServer]:
    yield from _serve()


@pytest.fixture
def hostile(
    hostile_server: HostileServer, settings: Any, manager_user: Any, qa_user: Any
) -> Iterator[Harness]:
    """The dashboard signed in as a Collections manager (and as a QA reviewer, for scenarios
    that say so), with GetBill on the hostile server.

    Timeouts are short: an answer that stalls costs the example a second at most.
    """
    origin = hostile_server.origin
    settings.GETBILL_API_URL = origin + API_PATH
    settings.GETBILL_TOKEN_URL = origin + TOKEN_PATH
    settings.GETBILL_MEDIA_HOSTS = [origin.removeprefix("http://")]
    settings.GETBILL_CLIENT_ID = CLIENT_ID
    settings.GETBILL_CLIENT_SECRET = CLIENT_SECRET
    settings.GETBILL_CONNECT_TIMEOUT = 0.5
    settings.GETBILL_READ_TIMEOUT = 0.5
    settings.GETBILL_DEADLINE = 1.5
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 1_000_000
    clients = {}
    for role, user in (("manager", manager_user), ("qa", qa_user)):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    capture = LogCapture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield Harness(server=hostile_server, clients=clients, logs=capture)
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
