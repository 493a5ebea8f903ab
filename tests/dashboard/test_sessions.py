"""The session while listening: the keep-alive endpoint, what the player is told, and the
sign-in page that leads back."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.sessions import SessionStore
from sandbox.data import EXAMPLES
from tests.support.html import html_attribute, html_has, html_one, html_text
from tests.support.pages import page_get

CALL = EXAMPLES["call_deal_found"]


def test_the_keepalive_saves_the_session_with_a_new_end(manager_client, settings):
    session_key = manager_client.session.session_key
    # Signed in with the default idle time; a shorter one from now on shows the session saved.
    settings.SESSION_COOKIE_AGE = 600
    response = manager_client.post("/session/keepalive/")
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert response.cookies["sessionid"]["max-age"] == 600
    left = Session.objects.get(session_key=session_key).expire_date - timezone.now()
    assert 590 < left.total_seconds() <= 600


def test_the_keepalive_of_an_ended_session_is_the_sign_in_redirect(client):
    response = client.post("/session/keepalive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_keepalive_is_a_post(manager_client):
    assert manager_client.get("/session/keepalive/").status_code == 405


def test_the_player_knows_the_idle_time_and_where_to_ping(sandbox, manager_client, settings):
    settings.SESSION_COOKIE_AGE = 1234
    _, body = page_get(manager_client, f"/followups/{CALL}/")
    player = html_one(body, "div", data_player=True)
    assert html_attribute(player, "data-keepalive-url") == "/session/keepalive/"
    assert html_attribute(player, "data-session-idle-seconds") == "1234"
    sign_in = html_one(body, "a", data_player_sign_in=True)
    assert html_has(sign_in, "hidden")
    assert html_text(sign_in) == "Sign in again"


def test_the_sign_in_page_says_why_when_it_leads_back(client, settings):
    settings.SESSION_COOKIE_AGE = 1800
    _, body = page_get(client, f"/accounts/login/?next=/followups/{CALL}/%3Ft%3D0:20")
    assert (
        "Sign in to go on where you were. A session ends after 30 minutes without activity" in body
    )
    _, plain = page_get(client, "/accounts/login/")
    assert "go on where you were" not in plain


@pytest.mark.django_db
def test_the_store_reads_a_session_as_djangos_database_store_does():
    saved = DjangoStore()
    saved["answer"] = 42
    saved.create()
    with CaptureQueriesContext(connection) as queries:
        loaded = SessionStore(session_key=saved.session_key)
        assert loaded["answer"] == 42
    assert len(queries.captured_queries) == 1
    assert loaded.session_key == saved.session_key


@pytest.mark.django_db
@pytest.mark.parametrize("session_key", [None, "", "unknown-key-0123456789abcdef", "x" * 40])
def test_the_store_reads_nothing_for_a_key_that_names_no_session(session_key):
    loaded = SessionStore(session_key=session_key)
    assert dict(loaded.items()) == {}
    assert loaded.session_key is None


@pytest.mark.django_db
def test_the_store_reads_nothing_for_an_expired_session():
    saved = SessionStore()
    saved["answer"] = 42
    saved.create()
    Session.objects.filter(session_key=saved.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    loaded = SessionStore(session_key=saved.session_key)
    assert "answer" not in loaded
    assert loaded.session_key is None
