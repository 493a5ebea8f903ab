"""A database or cache that is down answers a clear 503 page, never a 500 traceback; pages
that can do without the cache keep working."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from django import db
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path

from dashboard.urls import urlpatterns as dashboard_urlpatterns
from tests.support.processes import embedded_gunicorn_start, free_port


@login_not_required
def _raise_operational(request: Any) -> Any:
    raise db.OperationalError("server closed the connection unexpectedly")


@login_not_required
def _raise_interface(request: Any) -> Any:
    raise db.InterfaceError("connection already closed")


@login_not_required
def _raise_redis(request: Any) -> Any:
    raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")


@login_not_required
def _raise_bug(request: Any) -> Any:
    raise RuntimeError("a bug")


# The dashboard's own routes too: the error pages link to the search.
urlpatterns = [
    path("operational/", _raise_operational),
    path("interface/", _raise_interface),
    path("redis/", _raise_redis),
    path("bug/", _raise_bug),
    *dashboard_urlpatterns,
]
handler500 = "dashboard.outage.server_error"


def _unavailable(response: Any) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Temporarily unavailable" in body
    assert f"Reference: <code>{response['X-Request-ID']}</code>" in body
    assert "Traceback" not in body
    assert "127.0.0.1" not in body


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("route", ["operational", "interface", "redis"])
def test_database_and_cache_outages_are_a_503_page(route: str):
    client = Client(raise_request_exception=False)
    _unavailable(client.get(f"/{route}/"))


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_other_errors_stay_the_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_with_the_cache_down_lookups_are_503_and_the_search_page_still_works(
    manager_client: Client, closed_port_cache: None, sandbox: str
):
    manager_client.raise_request_exception = False
    _unavailable(manager_client.get("/followups/KziERDsm_63Gb9PoZHK4vmSjI9/"))
    search = manager_client.get("/")
    assert search.status_code == 200
    # The footer's quota figure is read from the cache: left out rather than failing.
    assert "GetBill quota" not in search.content.decode()


def test_a_database_out_of_reach_is_503_under_gunicorn(tmp_path: Path):
    """PostgreSQL down (nothing listens on its port): every signed-in page and /readyz say
    so, and the process stays healthy."""
    served = embedded_gunicorn_start(
        folder=tmp_path, database_url=f"postgres://dashboard@127.0.0.1:{free_port()}/dashboard"
    )
    try:
        with httpx.Client(base_url=served.origin, timeout=20) as load_balancer:
            ready = load_balancer.get("/readyz")
            healthy = load_balancer.get("/healthz")
        page = httpx.get(f"{served.origin}/", cookies={"sessionid": "x" * 32}, timeout=20)
    finally:
        served.stop()
    assert page.status_code == 503
    assert "Temporarily unavailable" in page.text
    assert re.search(rf"Reference: <code>{page.headers['X-Request-ID']}</code>", page.text)
    assert ready.status_code == 503
    assert ready.text == "not ready: database\n"
    assert healthy.status_code == 200
