"""Signing in and out, and what every page loads."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["followups:search", "admin:index"])
def test_pages_require_sign_in(client: Client, url_name: str):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("login") if "admin" not in url_name else "/admin/login/"
    )


@pytest.mark.django_db
def test_login_flow_signs_in_and_back_to_requested_page(client: Client):
    get_user_model().objects.create_user(username="alice", password="correct horse battery")
    login_page = client.get(reverse("login"))
    assert login_page.status_code == 200
    assert b"Sign in" in login_page.content

    wrong = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert wrong.status_code == 200
    assert b"didn't match" in wrong.content

    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "correct horse battery", "next": "/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"alice" in home.content
    assert b"Sign out" in home.content


@pytest.mark.django_db
def test_sign_out_ends_the_session(client: Client):
    user = get_user_model().objects.create_user(username="bob", password="pw-for-bob-123")
    client.force_login(user)
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_pages_load_htmx_from_own_static_files_and_no_cdn(admin_client: Client):
    body = admin_client.get("/").content.decode()
    assert "/static/django_htmx/htmx-2" in body
    assert 'src="http' not in body
    assert 'href="http' not in body


@pytest.mark.django_db
def test_sandbox_marker_shown_in_sandbox_mode(admin_client: Client):
    assert b"Sandbox data" in admin_client.get("/").content


@pytest.mark.django_db
def test_no_password_reset_is_offered_since_no_mail_is_sent(client: Client):
    # An administrator sets passwords; a reset would say a message was sent that never leaves.
    assert client.get("/accounts/password_reset/").status_code == 404
    assert client.post("/accounts/password_reset/", {"email": "a@example.com"}).status_code == 404
    assert client.get("/accounts/login/").status_code == 200
