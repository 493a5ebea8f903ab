"""The embedded default (SQLite, per-process cache) serving a team at once: SQLite's options,
per-request writes that never hold a read-then-write transaction, and sessions written at most
once a minute."""

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from time_machine import TimeMachineFixture

from dashboard.sessions import SESSION_REFRESH_IDLE_SHARE, SESSION_REFRESH_SECONDS
from followups.models import RecentView
from followups.services import recent_view_record
from sandbox.data import EXAMPLES
from tests.support.processes import clean_environment, python_run

_DATABASE_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.db import connection
database = settings.DATABASES["default"]
mode = None
if database["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as cursor:
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({"options": database.get("OPTIONS", {}), "journal_mode": mode,
                  "health_checks": database.get("CONN_HEALTH_CHECKS")}))
"""


def _database_probe(database_url: str) -> dict[str, Any]:
    environment = {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": database_url,
    }
    result = python_run("-c", _DATABASE_PROBE, env=environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_sqlite_runs_in_wal_with_immediate_transactions_and_a_busy_timeout(tmp_path: Path):
    probe = _database_probe(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert probe["journal_mode"] == "wal"
    assert probe["options"]["transaction_mode"] == "IMMEDIATE"
    assert probe["options"]["timeout"] >= 5


def test_sqlite_options_are_not_given_to_postgresql():
    probe = _database_probe("postgres://dashboard@127.0.0.1:1/dashboard")
    assert probe["options"] == {}
    assert probe["health_checks"] is True


def _statements_of(record: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        record()
    return [query["sql"].upper() for query in queries.captured_queries]


@pytest.mark.django_db
def test_a_new_view_is_an_upsert_and_a_trim_without_reading_first(
    manager_user: Any, followup_make: Any
):
    statements = _statements_of(
        lambda: recent_view_record(
            user=manager_user, followup_id="abc123def456", followup=followup_make()
        )
    )
    assert [s.split()[0] for s in statements] == ["UPDATE", "INSERT", "DELETE"], statements
    assert "ON CONFLICT" in statements[1]
    assert RecentView.objects.get(user=manager_user).followup_id == "abc123def456"


@pytest.mark.django_db
def test_a_view_seen_before_is_one_update(manager_user: Any, followup_make: Any):
    recent_view_record(user=manager_user, followup_id="abc123def456", followup=followup_make())
    statements = _statements_of(
        lambda: recent_view_record(
            user=manager_user,
            followup_id="abc123def456",
            followup=followup_make(status="no_answer"),
        )
    )
    assert len(statements) == 1, statements
    assert statements[0].startswith("UPDATE")
    view = RecentView.objects.get(user=manager_user)
    assert view.followup_status == "no_answer"


@pytest.mark.django_db
def test_a_signed_in_session_is_written_at_most_once_a_minute(
    manager_client: Client, clock: TimeMachineFixture
):
    assert manager_client.get("/").status_code == 200
    first_expiry = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get("/").status_code == 200
    session_writes = [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
    ]
    assert session_writes == []
    assert Session.objects.get().expire_date == first_expiry

    # A minute later, the next request pushes the end back.
    clock.shift(SESSION_REFRESH_SECONDS)
    assert manager_client.get("/").status_code == 200
    assert Session.objects.get().expire_date > first_expiry


@pytest.mark.django_db
def test_a_short_idle_time_is_pushed_back_within_a_thirtieth_of_it(
    manager_client: Client, settings: Any, clock: TimeMachineFixture
):
    settings.SESSION_COOKIE_AGE = 60  # a minute's refresh would end it under an active user
    assert manager_client.get("/").status_code == 200
    first_expiry = Session.objects.get().expire_date
    clock.shift(60 // SESSION_REFRESH_IDLE_SHARE)
    assert manager_client.get("/").status_code == 200
    assert Session.objects.get().expire_date > first_expiry


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_lookups_on_the_embedded_default_all_succeed(sandbox: str):
    """Twenty users open a followup at the same moment: each writes its audit entry, its
    recent view and its session to the one SQLite file, and none gets a 500."""
    permissions = Permission.objects.filter(content_type__app_label="followups")
    clients = []
    for n in range(20):
        user = get_user_model().objects.create_user(username=f"team-{n}", password="unused-pw")
        user.user_permissions.set(permissions)
        client = Client()
        client.force_login(user)
        clients.append(client)
    # Every user's first lookup shares one token: sign in once before the crowd arrives.
    assert clients[0].get(f"/followups/{EXAMPLES['call_deal_found']}/").status_code == 200
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def look_up(client: Client, followup_id: str) -> None:
        try:
            start.wait(timeout=30)
            statuses.append(client.get(f"/followups/{followup_id}/").status_code)
        finally:
            connections.close_all()

    ids = [EXAMPLES["call_deal_found"], EXAMPLES["postmail_pdf"], EXAMPLES["inbound_call"]]
    threads = [
        threading.Thread(target=look_up, args=(client, ids[n % len(ids)]))
        for n, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * len(clients)
    assert RecentView.objects.count() == len(clients)
