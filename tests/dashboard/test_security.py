"""Hardening: security headers on every page, cookies, CSRF over https, idle sessions, sign-in
lockout, production settings (`check --deploy`), and secrets kept out of logs and error
reports."""

import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from dashboard.logging import (
    REDACTED,
    SecretsRedactFilter,
    SecretsSafeExceptionReporterFilter,
    secrets_redact,
)
from dashboard.security import media_sources
from followups.getbill import (
    config_get,
    token_cache_for,
)
from sandbox.data import EXAMPLES, FAULT_IDS
from sandbox.origin import sandbox_origin_set
from tests.support.accounts import ROLE_USER_PASSWORD
from tests.support.fake_getbill import FakeGetBill, error_answer

ROOT = Path(__file__).resolve().parents[2]
CALL_ID = EXAMPLES["call_deal_found"]
SIGNED_URL = (
    "https://bucket.s3.eu-west-3.amazonaws.com/rec/call.mp3?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20240122%2Feu-west-3%2Fs3%2Faws4_request"
    "&X-Amz-Date=20240122T103000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=0123456789abcdef0123456789abcdef"
)
EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def _csp_parse(header: str) -> dict[str, list[str]]:
    directives = [d.split() for d in header.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def _csp(response) -> dict[str, list[str]]:
    return _csp_parse(response["Content-Security-Policy"])


# --- Headers -------------------------------------------------------------------------------------


@pytest.fixture
def fake_upstream(fake_getbill: FakeGetBill) -> FakeGetBill:
    """GetBill answering every followup with a signed recording link, but for faulty IDs."""
    fake_getbill.any_followup(audio_url=SIGNED_URL)
    fake_getbill.answers.update(
        {
            "/followups/broken1": error_answer(500, "Internal error"),
            "/followups/slow1": httpx.ReadTimeout("slow"),
            "/followups/down1": httpx.ConnectError("down"),
            "/followups/quota1": error_answer(429, "Too many", details={"retry_after": 30}),
            "/followups/crash1": RuntimeError("unexpected"),
        }
    )
    return fake_getbill


def _error_pages(manager_client, plain_client, settings) -> dict[str, Any]:
    pages = {
        "search": manager_client.get("/", secure=True),
        "detail": manager_client.get("/followups/abc123/", secure=True),
        "404": manager_client.get("/no/such/page/", secure=True),
        "403": plain_client.get("/followups/abc123/", secure=True),
        "502": manager_client.get("/followups/broken1/", secure=True),
        "503": manager_client.get("/followups/down1/", secure=True),
        "504": manager_client.get("/followups/slow1/", secure=True),
        "429 GetBill": manager_client.get("/followups/quota1/", secure=True),
        "400": manager_client.get("/followups/bad%20id/", secure=True),
        "400 search": manager_client.get("/followups/", {"q": "?! ..."}, secure=True),
        # Refused before any view: CommonMiddleware answers, the middleware after it never runs.
        "400 host": manager_client.get("/", secure=True, HTTP_HOST="unknown.example"),
    }
    manager_client.raise_request_exception = False
    pages["500"] = manager_client.get("/followups/crash1/", secure=True)
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    cache.clear()
    manager_client.get("/followups/abc123/", secure=True)
    pages["429"] = manager_client.get("/followups/abc124/", secure=True)
    return pages


def test_every_security_header_on_normal_and_error_pages(
    manager_client, plain_client, settings, fake_upstream
):
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com", "*.s3.eu-west-3.amazonaws.com"]
    pages = _error_pages(manager_client, plain_client, settings)
    assert {name: r.status_code for name, r in pages.items()} == {
        "search": 200,
        "detail": 200,
        "404": 404,
        "403": 403,
        "502": 502,
        "503": 503,
        "504": 504,
        "429 GetBill": 429,
        "400": 400,
        "400 search": 400,
        "400 host": 400,
        "500": 500,
        "429": 429,
    }
    for name, response in pages.items():
        csp = _csp(response)
        assert csp.pop("media-src") == [
            "'self'",
            "https://s3.amazonaws.com",
            "https://*.s3.eu-west-3.amazonaws.com",
        ], name
        assert csp == EXPECTED_CSP, name
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        if name != "400 host":  # answered before the user is known, and shows nothing of theirs
            assert "no-store" in response["Cache-Control"], name


def test_headers_for_signed_out_pages_too(client):
    for response in (client.get("/accounts/login/"), client.get("/no/such/page/")):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_detail_page_has_no_inline_script_or_style(manager_client, fake_upstream, settings):
    settings.GETBILL_MEDIA_HOSTS = ["*.s3.eu-west-3.amazonaws.com"]
    body = manager_client.get("/followups/abc123/").content.decode()
    assert "<audio" in body  # the player is part of the page checked
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "<style" not in body
    assert not re.search(r"\son[a-z]+=", body)
    assert not re.search(r"\sstyle=", body)


def test_media_src_follows_the_media_hosts_at_request_time(manager_client, settings):
    settings.GETBILL_MEDIA_HOSTS = ["media.example.com:8443", "127.0.0.1:8123"]
    assert _csp(manager_client.get("/"))["media-src"] == [
        "'self'",
        "https://media.example.com:8443",
        "https://127.0.0.1:8123",
        "http://127.0.0.1:8123",
    ]
    # The sandbox's runserver moves the media host to the address it listens on.
    sandbox_origin_set(origin="http://localhost:8765")
    assert _csp(manager_client.get("/"))["media-src"] == [
        "'self'",
        "https://localhost:8765",
        "http://localhost:8765",
    ]


def test_media_sources_leave_out_ipv6_literals():
    assert media_sources(hosts=["[::1]:8000", "*.example.com"]) == [
        "'self'",
        "https://*.example.com",
    ]


def test_a_view_that_sets_its_own_cache_control_keeps_it(manager_client):
    login_page = Client().get("/accounts/login/")
    assert "no-store" in login_page["Cache-Control"]
    # Signed out: nothing personal, and Django's own headers are left alone.
    assert "Cache-Control" not in Client().get("/no/such/page/")


# --- Cookies, CSRF, sessions -----------------------------------------------------------------


def _login_token(client: Client) -> str:
    page = client.get("/accounts/login/", secure=True)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match
    return match.group(1)


def test_cookies_are_secure_httponly_and_lax(manager_user):
    client = Client()
    token = _login_token(client)
    response = client.post(
        "/accounts/login/",
        {"username": "manager-user", "password": ROLE_USER_PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert cookie["secure"], name
        assert cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("https://testserver", 302),  # what browsers send under Referrer-Policy: same-origin
        ("null", 403),  # what they send under no-referrer: the reason it is not used
        (None, 403),  # neither Origin nor Referer
    ],
)
def test_csrf_over_https_accepts_the_same_origin_only(manager_user, origin, status):
    client = Client(enforce_csrf_checks=True)
    token = _login_token(client)
    headers = {"Origin": origin} if origin else {}
    response = client.post(
        "/accounts/login/",
        {"username": "manager-user", "password": ROLE_USER_PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        headers=headers,
    )
    assert response.status_code == status


def test_recording_played_needs_the_csrf_token(manager_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    url = reverse("followups:recording_played", kwargs={"followup_id": CALL_ID})
    origin = {"Origin": "https://testserver"}
    assert client.post(url, secure=True, headers=origin).status_code == 403
    token = _login_token(client)
    ok = client.post(url, {"csrfmiddlewaretoken": token}, secure=True, headers=origin)
    assert ok.status_code == 204
    assert ok.content == b""


def test_sessions_end_after_the_idle_time(manager_client):
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert manager_client.get("/").status_code == 200
    session = Session.objects.get()
    # A request pushes the end back (at most once a minute, dashboard.sessions).
    assert session.expire_date > timezone.now() + timedelta(minutes=29)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = manager_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_locks_after_five_failures_for_that_user_and_address(manager_user):
    client = Client()
    wrong = {"username": "manager-user", "password": "not-the-password"}
    statuses = [client.post("/accounts/login/", wrong).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    right = {"username": "manager-user", "password": ROLE_USER_PASSWORD}
    locked = client.post("/accounts/login/", right)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same user from another address is not locked out.
    elsewhere = Client(REMOTE_ADDR="192.0.2.10").post("/accounts/login/", right)
    assert elsewhere.status_code == 302


# --- Production settings -------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "pr0duction-" + "k3y-" * 14,
    "DJANGO_ALLOWED_HOSTS": "followups.example.com",
    "GETBILL_CLIENT_ID": "real-client",
    "GETBILL_CLIENT_SECRET": "real-secret-value-0123",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GETBILL_"))}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "dashboard.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_PAGES_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.auth import views
from django.test import Client
from django.test.utils import override_settings

# Without collectstatic the manifest has no entries: plain static URLs are enough here.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}).enable()
client = Client(raise_request_exception=False, HTTP_HOST="followups.example.com")
pages = {
    "login": client.get("/accounts/login/", secure=True),
    "404": client.get("/no/such/page/", secure=True),
    "no sandbox": client.get("/sandbox/token", secure=True),
    "400 host": client.get("/accounts/login/", secure=True, HTTP_HOST="unknown.example"),
}
def broken(*args, **kwargs):
    raise RuntimeError("internal detail")
views.LoginView.get = broken
pages["500"] = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "sandbox": settings.GETBILL_SANDBOX,
    "pages": {n: [r.status_code, dict(r.items()), r.content.decode()] for n, r in pages.items()},
}))
"""


def test_production_error_pages_have_every_security_header():
    """With real credentials (no sandbox, no DEBUG): the sign-in page, 400, 404 and a 500."""
    result = _run(["-c", PRODUCTION_PAGES_PROBE], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.splitlines()[-1])
    assert probe["sandbox"] is False
    statuses = {name: page[0] for name, page in probe["pages"].items()}
    assert statuses == {"login": 200, "404": 404, "no sandbox": 404, "400 host": 400, "500": 500}
    for name, (_, headers, body) in probe["pages"].items():
        csp = _csp_parse(headers["Content-Security-Policy"])
        assert csp.pop("media-src") == [
            "'self'",
            "https://s3.amazonaws.com",
            "https://*.s3.amazonaws.com",
        ], name
        assert csp == EXPECTED_CSP, name
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert 'rel="stylesheet"' in body, name  # the product's own page
        assert "internal detail" not in body
        assert "Traceback" not in body


SETTINGS_PROBE = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST", "DASHBOARD_GETBILL_REQUESTS_PER_HOUR",
    "DASHBOARD_AUDIT_RETENTION_DAYS", "AXES_FAILURE_LIMIT",
)}))
"""


def test_production_defaults_and_their_environment_variables():
    defaults = json.loads(_run(["-c", SETTINGS_PROBE], **PRODUCTION_ENV).stdout.splitlines()[-1])
    assert defaults == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": False,
        "DASHBOARD_GETBILL_REQUESTS_PER_HOUR": 100,
        "DASHBOARD_AUDIT_RETENTION_DAYS": 365,
        "AXES_FAILURE_LIMIT": 5,
    }
    changed = _run(
        ["-c", SETTINGS_PROBE],
        **PRODUCTION_ENV,
        DASHBOARD_SESSION_IDLE_MINUTES="5",
        DASHBOARD_GETBILL_REQUESTS_PER_HOUR="10",
        DASHBOARD_AUDIT_RETENTION_DAYS="90",
        DJANGO_SECURE_HSTS_SECONDS="600",
    )
    values = json.loads(changed.stdout.splitlines()[-1])
    assert values["SESSION_COOKIE_AGE"] == 300
    assert values["DASHBOARD_GETBILL_REQUESTS_PER_HOUR"] == 10
    assert values["DASHBOARD_AUDIT_RETENTION_DAYS"] == 90
    assert values["SECURE_HSTS_SECONDS"] == 600
    refused = _run(
        ["-c", SETTINGS_PROBE], **PRODUCTION_ENV, DASHBOARD_GETBILL_REQUESTS_PER_HOUR="0"
    )
    assert refused.returncode != 0
    message = "DASHBOARD_GETBILL_REQUESTS_PER_HOUR must be a whole number of at least 1"
    assert message in refused.stderr


# --- Redaction -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Authorization: Bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
        ("grant_type=client_credentials&client_secret=s3cr3t-v4lue&scope=x", "s3cr3t-v4lue"),
        ('{"access_token": "tok-0123456789", "token_type": "Bearer"}', "tok-0123456789"),
        ("access_token=tok-0123456789&x=1", "tok-0123456789"),
        (f"fetching {SIGNED_URL} now", "0123456789abcdef0123456789abcdef"),
        (f"fetching {SIGNED_URL} now", "AKIAEXAMPLE"),
        ("GET /sandbox/media/a.mp3?X-Amz-Signature=feedface&X-Amz-Date=1", "feedface"),
        ("GET /m?X-Amz-Credential=AKIA%2F2024&X-Amz-Date=1 HTTP/1.1", "AKIA%2F2024"),
        # A server's request line: the whole query of the signed path goes.
        ('"GET /sandbox/media/a.mp3?X-Amz-Signature=f00d HTTP/1.1" 206 9', "X-Amz-Signature"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl here", "c2lnbmF0dXJl"),
        ("the secret is sandbox-secret", "sandbox-secret"),
    ],
)
def test_secrets_redact(text, gone):
    redacted = secrets_redact(text)
    assert gone not in redacted
    assert REDACTED in redacted


def test_secrets_redact_leaves_ordinary_text_alone():
    for text in (
        "GetBill token endpoint answered 200 without a usable bearer token",
        "GET /followups/KziERDsm_63Gb9PoZHK4vmSjI9/ HTTP/1.1",
        "https://getbill.io/external-api/v1/followups/abc?page=2",
    ):
        assert secrets_redact(text) == text


def test_log_filter_redacts_message_arguments_and_traceback():
    redact = SecretsRedactFilter()
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "media %s failed after %d s", (SIGNED_URL, 3), None
    )
    assert redact.filter(record)
    message = record.getMessage()
    assert "X-Amz-Signature" not in message
    assert message.endswith("failed after 3 s")
    try:
        raise ValueError(f"bad url {SIGNED_URL}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    redact.filter(record)
    assert "X-Amz-Signature" not in logging.Formatter().format(record)


def test_every_configured_handler_redacts():
    handlers = cast(dict[str, dict[str, Any]], django_settings.LOGGING["handlers"])
    assert all("redact_secrets" in handler["filters"] for handler in handlers.values())
    for name in ("", "django.server"):
        live = [h for h in logging.getLogger(name).handlers if h.get_name() in handlers]
        assert live, name
        assert all(any(isinstance(f, SecretsRedactFilter) for f in h.filters) for h in live)
    # Django's loggers keep no handler of Django's default configuration, which would not redact.
    assert [h.get_name() for h in logging.getLogger("django").handlers] == ["mail_admins"]


def test_error_reports_hide_the_client_secret_and_signed_urls(rf, settings):
    settings.GETBILL_CLIENT_SECRET = "real-secret-value-0123"
    request = rf.get("/followups/abc123/", HTTP_AUTHORIZATION="Bearer abcdefghijklmnop1234")

    def failing() -> None:
        media = SIGNED_URL  # noqa: F841 - a local the report would show
        raise RuntimeError(f"could not play {SIGNED_URL}")

    try:
        failing()
    except RuntimeError:
        exc_type, exc_value, tb = sys.exc_info()
    reporter_class = import_string(settings.DEFAULT_EXCEPTION_REPORTER)
    report = reporter_class(request, exc_type, exc_value, tb)
    assert isinstance(report.filter, SecretsSafeExceptionReporterFilter)
    for text in (report.get_traceback_text(), report.get_traceback_html()):
        assert "real-secret-value-0123" not in text
        assert "0123456789abcdef0123456789abcdef" not in text
        assert "abcdefghijklmnop1234" not in text


@contextmanager
def _dev_server() -> Iterator[str]:
    """The app behind the server and request handler `runserver` uses, on a loopback port."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    # The handler itself, not dashboard.wsgi: importing that runs django.setup(), which would
    # reconfigure logging under the log capture.
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_main_flows_log_no_token_secret_or_signature(sandbox, manager_user, caplog, monkeypatch):
    """Sign in, look up, open the page, renew the recording link, report a play, open the debt,
    hit error pages and fetch the recording itself, everything logged at DEBUG: no line holds
    the access token, the client secret or a media signature."""
    for name in ("", "django", "django.request", "django.server", "httpx", "httpcore", "axes"):
        caplog.set_level(logging.DEBUG, logger=name)
    monkeypatch.setattr(logging.getLogger("django.server"), "propagate", True)

    client = Client()
    signed_in = client.post(
        "/accounts/login/", {"username": "manager-user", "password": ROLE_USER_PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get("/followups/", {"q": f"see {CALL_ID} please"}, follow=True)
    assert page.status_code == 200
    audio = reverse("followups:recording_audio", kwargs={"followup_id": CALL_ID})
    assert f'src="{audio}"' in page.content.decode()
    media_url = client.get(audio)["Location"]
    signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", media_url)
    assert signature
    media_path = media_url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{media_path}", headers={"Range": "bytes=0-99"}).status_code == 206
    assert client.get(f"/{media_path[:-4]}beef").status_code == 403
    # The recording fragment, which answers with a newly signed link.
    refresh = reverse("followups:recording", kwargs={"followup_id": CALL_ID})
    renewed = client.get(refresh, headers={"HX-Request": "true"})
    assert renewed.status_code == 200
    assert "X-Amz-Signature=" in renewed.content.decode()
    played = reverse("followups:recording_played", kwargs={"followup_id": CALL_ID})
    assert client.post(played).status_code == 204
    debt = reverse("followups:debt_followups", kwargs={"debt_id": EXAMPLES["debt_with_history"]})
    assert client.get(debt).status_code == 200
    panel = reverse("followups:debt_timeline", kwargs={"debt_id": EXAMPLES["debt_with_history"]})
    panel_answer = client.get(panel, {"current": CALL_ID}, headers={"HX-Request": "true"})
    assert CALL_ID in panel_answer.content.decode()
    # The development server's request log, as `runserver` writes it, for the signed link.
    with _dev_server() as dev_origin:
        httpx.get(f"{dev_origin}/{media_path}", headers={"Range": "bytes=0-99"}, timeout=10)
    server_lines = [r.getMessage() for r in caplog.records if r.name == "django.server"]
    assert any("/sandbox/media/" in line for line in server_lines)
    assert client.get(f"/followups/{FAULT_IDS['server_error']}/").status_code == 502
    assert client.get(f"/followups/{FAULT_IDS['forbidden']}/").status_code == 403
    assert client.get("/followups/bad%20id/").status_code == 400

    token = cache.get(token_cache_for(config_get()).token_key)["access_token"]
    assert len(token) > 20
    lines = [record.getMessage() for record in caplog.records] + caplog.text.splitlines()
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    assert any(record.name == "httpx" for record in caplog.records)
    for line in lines:
        assert token not in line
        assert django_settings.GETBILL_CLIENT_SECRET not in line
        assert "X-Amz-Signature" not in line
        assert signature.group(1) not in line


def test_log_filter_redacts_the_fields_an_access_line_names():
    # As gunicorn's access line: a format naming a few fields of a mapping holding every
    # request header and WSGI variable.
    fields = {f"{{x-header-{n}}}i": f"value {n}" for n in range(80)}
    fields.update({"h": "127.0.0.1", "r": f"GET {SIGNED_URL} HTTP/1.1", "s": "302"})
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "", None, None)
    record.msg, record.args = '%(h)s "%(r)s" %(s)s', fields
    assert SecretsRedactFilter().filter(record)
    line = record.getMessage()
    assert "X-Amz-Signature" not in line
    assert line.startswith('127.0.0.1 "GET https://')
    assert line.endswith('HTTP/1.1" 302')
