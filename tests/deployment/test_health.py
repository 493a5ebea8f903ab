"""`/healthz` and `/readyz` for the load balancer: open without sign-in, over plain http,
revealing only which check failed, never audited or limited."""

from typing import Any

import pytest
from django.test import Client

from dashboard import health
from followups.models import AuditEntry


@pytest.mark.django_db
def test_healthz_answers_without_sign_in_or_session(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_is_ready_with_the_database_cache_and_getbill_settings(client: Client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert not response.cookies


@pytest.mark.django_db
def test_health_checks_are_served_over_plain_http_with_https_redirects_on(
    client: Client, settings: Any
):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@pytest.mark.django_db
def test_health_checks_are_not_audited_nor_limited(
    manager_client: Client, settings: Any, sandbox: str
):
    settings.DASHBOARD_LOOKUPS_PER_MINUTE = 1
    for _ in range(5):
        assert manager_client.get("/healthz").status_code == 200
        assert manager_client.get("/readyz").status_code == 200
    assert AuditEntry.objects.count() == 0
    # The user's one lookup of the minute is still there.
    assert manager_client.get("/followups/KziERDsm_63Gb9PoZHK4vmSjI9/").status_code == 200


@pytest.mark.django_db
def test_readyz_names_a_cache_that_does_not_answer_and_nothing_else(
    client: Client, closed_port_cache: None, settings: Any
):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: cache\n"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_names_invalid_getbill_settings(client: Client, settings: Any):
    settings.GETBILL_TOKEN_URL = "http://getbill.example.com/token"  # plain http off loopback
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: getbill settings\n"


@pytest.mark.django_db
def test_readyz_names_a_database_with_migrations_left(
    client: Client, monkeypatch: pytest.MonkeyPatch
):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    monkeypatch.setattr(health, "_migrated_seen", False)
    [(app, latest)] = MigrationLoader(connection).graph.leaf_nodes("followups")
    MigrationRecorder(connection).record_unapplied(app, latest)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: database\n"


@pytest.mark.django_db
def test_health_checks_take_only_get_and_head(client: Client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
