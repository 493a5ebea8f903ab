"""What a deployment relies on: the documented environment, the first account, static files
served with DEBUG off, and no page reachable without signing in."""

import io
import json
import os
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.support.start_up import python_run, run_django_check

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = ("dashboard", "followups", "sandbox")
# Read by Django itself, by `createsuperuser --noinput`, not by the settings module.
SUPERUSER_VARIABLES = {
    "DJANGO_SUPERUSER_USERNAME",
    "DJANGO_SUPERUSER_PASSWORD",
    "DJANGO_SUPERUSER_EMAIL",
}
# env("X"), env.str("X", ...), env.bool(...), env.db(...), _env_positive_int("X", ...)...
_ENV_READ_RE = re.compile(r"\b(?:env(?:\.\w+)?|_env_\w+)\(\s*\"([A-Z][A-Z0-9_]*)\"")
_OS_ENV_READ_RE = re.compile(
    r"(?:os\.environ(?:\.get|\.setdefault)?\s*[\[(]|os\.getenv\()\s*[\"']([A-Z][A-Z0-9_]*)"
)
_ASSIGNMENT_RE = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=")


def _app_sources() -> list[Path]:
    paths = [path for name in APP_DIRS for path in (ROOT / name).rglob("*.py")]
    return sorted([*paths, ROOT / "gunicorn.conf.py"])


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in _app_sources():
        names |= set(_ENV_READ_RE.findall(path.read_text()))
    return names


def _env_example() -> dict[str, str]:
    """Each variable of `.env.example` (commented-out ones too) with the line above it."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    documented: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _ASSIGNMENT_RE.match(line)
        if match:
            documented[match.group(1)] = lines[index - 1] if index else ""
    return documented


def _readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.MULTILINE))


def test_the_settings_read_the_environment_through_django_environ_only():
    read = _variables_read()
    assert {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "GETBILL_DEADLINE"} <= read  # the scan works
    for path in _app_sources():
        direct = set(_OS_ENV_READ_RE.findall(path.read_text())) - {"DJANGO_SETTINGS_MODULE"}
        assert not direct, f"{path.relative_to(ROOT)} reads {direct} outside the settings"


def test_env_example_lists_every_variable_with_its_own_comment():
    documented = _env_example()
    expected = _variables_read() | SUPERUSER_VARIABLES
    assert set(documented) == expected
    for name, line_above in documented.items():
        assert line_above.startswith("# "), f"{name} has no comment line above it"
        assert not _ASSIGNMENT_RE.match(line_above), f"{name} shares its comment"


def test_readme_configuration_table_matches_env_example():
    assert _readme_configuration_table() == set(_env_example())


def test_an_empty_secret_key_is_refused_in_production():
    # `.env.example` copied as it is sets the variable to an empty string.
    for empty in ("", "   "):
        result = run_django_check(
            DJANGO_SECRET_KEY=empty, DJANGO_ALLOWED_HOSTS="example.com", GETBILL_SANDBOX="true"
        )
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_an_empty_secret_key_in_development_falls_back_to_the_development_key():
    result = python_run(
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings as s; print(bool(s.SECRET_KEY))",
        env={**_clean_environment(), "DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True"


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GETBILL_"))}


@pytest.mark.django_db
def test_createsuperuser_noinput_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long admin passphrase 42")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root-admin@example.com")

    call_command("createsuperuser", interactive=False, verbosity=0)

    user = get_user_model().objects.get(username="root-admin")
    assert user.is_superuser
    assert user.is_staff
    assert user.email == "root-admin@example.com"
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "root-admin", "password": "a long admin passphrase 42"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# --- Sign-in on every page -----------------------------------------------------------------

_SAMPLE_ARGUMENTS = {
    "followup_id": "abc123def456",
    "debt_id": "xyz789ghi012",
    "comment_id": "1",
    "review_id": "1",
    "chart": "weeks",
    "session_id": "1",
}
_PUBLIC_PREFIXES = (
    "accounts/",
    "sandbox/",
    "admin/login/",
    "healthz",
    "readyz",
    "webhooks/getbill",  # with and without its slash
)


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> list[tuple[str, URLPattern]]:
    routes: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        else:
            routes.append((route, pattern))
    return routes


def _app_paths() -> list[str]:
    """A concrete path for every route of the dashboard (admin and public routes aside)."""
    paths = []
    for route, _pattern in _routes(get_resolver().url_patterns):
        if route.startswith(("admin/", *_PUBLIC_PREFIXES)):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: _SAMPLE_ARGUMENTS[match.group(1)], route)
        assert "^" not in path, f"unexpected route {route}"
        assert "(" not in path, f"unexpected route {route}"
        paths.append("/" + path)
    return paths


def test_the_route_walk_finds_the_dashboard():
    paths = _app_paths()
    assert "/" in paths
    assert "/followups/abc123def456/" in paths
    assert "/debts/xyz789ghi012/followups/" in paths


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_dashboard_route_sends_the_signed_out_to_sign_in(method: str):
    client = Client()
    for path in _app_paths():
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


@pytest.mark.django_db
def test_only_sign_in_and_the_sandbox_are_public():
    """Django's sign-in pages, the fake GetBill (which has its own tokens), the load
    balancer's health checks and GetBill's webhooks (signed with their own secret) need no
    session."""
    for route, pattern in _routes(get_resolver().url_patterns):
        view = pattern.callback
        if getattr(view, "login_required", True) is False:
            assert route.startswith(_PUBLIC_PREFIXES), f"{route} is public"


# --- Static files with DEBUG off -----------------------------------------------------------

_STATIC_PROBE = textwrap.dedent(
    """
    import io, json, sys
    import django
    django.setup()
    from django.contrib.staticfiles.storage import staticfiles_storage
    from dashboard.wsgi import application

    def get(path):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "example.com", "SERVER_PORT": "443", "HTTP_HOST": "example.com",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        started = {}
        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = status.split()[0], dict(headers)
        body = b"".join(application(environ, start_response))
        return started["status"], started["headers"], body

    htmx = staticfiles_storage.url("django_htmx/htmx-2.min.js")
    status, headers, body = get(htmx)
    login_status, _headers, page = get("/accounts/login/")
    print(json.dumps({
        "url": htmx, "status": status, "type": headers.get("Content-Type", ""),
        "cache": headers.get("Cache-Control", ""), "is_htmx": b"htmx" in body,
        "login_status": login_status, "login_links_it": htmx in page.decode(),
    }))
    """
)


def test_whitenoise_serves_collected_static_files_with_debug_off(tmp_path: Path):
    """`collectstatic`, then the production WSGI app (DEBUG off, manifest storage) serves the
    hashed htmx file itself, and pages link to that hashed name."""
    static_root = str(tmp_path / "static")
    (tmp_path / "collected_settings.py").write_text(
        f"from dashboard.settings import *  # noqa: F403\nSTATIC_ROOT = {static_root!r}\n"
    )
    environment = {
        **_clean_environment(),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "collected_settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GETBILL_CLIENT_ID": "client",
        "GETBILL_CLIENT_SECRET": "secret",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return python_run(*args, env=environment, timeout=120)

    collected = run("manage.py", "collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()

    probe = run("-c", _STATIC_PROBE)
    assert probe.returncode == 0, probe.stderr
    served = json.loads(probe.stdout.splitlines()[-1])
    assert re.fullmatch(r"/static/django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js", served["url"])
    assert served["status"] == "200"
    assert "javascript" in served["type"]
    assert served["is_htmx"]
    # Hashed names never change content: browsers may keep them for good.
    assert "immutable" in served["cache"]
    assert served["login_status"] == "200"
    assert served["login_links_it"]


# --- `make run` on any port ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("addr", "raw_ipv6", "origin"),
    [
        ("127.0.0.1", False, "http://127.0.0.1:8657"),
        ("0.0.0.0", False, "http://127.0.0.1:8657"),  # noqa: S104 - what runserver was given
        ("::1", True, "http://[::1]:8657"),
    ],
)
def test_runserver_points_the_client_at_the_port_it_serves(
    settings: Any, monkeypatch: pytest.MonkeyPatch, addr: str, raw_ipv6: bool, origin: str
):
    from whitenoise.runserver_nostatic.management.commands.runserver import (
        Command as WhitenoiseRunserverCommand,
    )

    from sandbox.management.commands.runserver import Command

    # Through the fixture first, so that what the command writes is undone afterwards.
    settings.SANDBOX_ORIGIN = "http://127.0.0.1:8000"
    monkeypatch.setattr(WhitenoiseRunserverCommand, "inner_run", lambda *args, **kwargs: None)
    command = Command(stdout=io.StringIO())
    command.addr, command.port, command.protocol, command._raw_ipv6 = addr, "8657", "http", raw_ipv6

    command.inner_run()

    assert f"{origin}/sandbox/external-api/v1" == settings.GETBILL_API_URL
    assert f"{origin}/sandbox/token" == settings.GETBILL_TOKEN_URL
    assert origin == settings.SANDBOX_ORIGIN
