"""A request ID on every request: the response header, every log line (plain and JSON) and the
error pages' reference; taken from the proxy's X-Request-ID only when trusted."""

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sandbox.data import FAULT_IDS
from tests.support.processes import clean_environment, python_run

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def console_log() -> Iterator[io.StringIO]:
    """What the dashboard's configured console handler writes (filters and format included)."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(type(f).__name__ == "RequestIdLogFilter" for f in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def _reference(body: str, request_id: str) -> bool:
    return f"Reference: <code>{request_id}</code>" in body


@pytest.mark.django_db
def test_every_response_has_its_own_generated_request_id(client: Client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_a_client_cannot_choose_its_request_id_unless_the_proxy_is_trusted(
    client: Client, settings: Any
):
    headers = {"X-Request-ID": "proxy-id-123"}
    assert client.get("/healthz", headers=headers)["X-Request-ID"] != "proxy-id-123"
    settings.DASHBOARD_TRUST_X_REQUEST_ID = True
    assert client.get("/healthz", headers=headers)["X-Request-ID"] == "proxy-id-123"


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None)
@given(header=st.text(max_size=200))
def test_a_trusted_header_is_used_only_when_it_looks_like_an_id(header: str):
    from django.test import override_settings

    with override_settings(DASHBOARD_TRUST_X_REQUEST_ID=True):
        try:
            response = Client().get("/healthz", headers={"X-Request-ID": header})
        except (UnicodeEncodeError, ValueError):
            return  # not a header a server could receive
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{0,127}", request_id)
    assert request_id == header or GENERATED.fullmatch(request_id)


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id(client: Client, console_log: io.StringIO):
    response = client.post("/healthz")  # Django logs the refused method as a warning
    assert response.status_code == 405
    lines = [line for line in console_log.getvalue().splitlines() if "/healthz" in line]
    assert lines
    assert all(f"[{response['X-Request-ID']}]" in line for line in lines)


@pytest.mark.django_db
def test_an_error_page_logged_after_the_middleware_carries_its_id(
    manager_client: Client, sandbox: str, console_log: io.StringIO
):
    response = manager_client.get(f"/followups/{FAULT_IDS['server_error']}/")
    assert response.status_code == 502
    lines = [line for line in console_log.getvalue().splitlines() if "Bad Gateway" in line]
    assert lines
    assert all(f"[{response['X-Request-ID']}]" in line for line in lines)


@pytest.mark.django_db
def test_a_refusal_is_logged_in_one_line(plain_client: Client, console_log: io.StringIO):
    response = plain_client.get("/reviews/")  # PermissionDenied, which Django logs with it
    assert response.status_code == 403
    logged = console_log.getvalue()
    assert "Traceback" not in logged


def test_outside_a_request_log_lines_say_so(console_log: io.StringIO):
    logging.getLogger("followups").warning("no request here")
    assert "[-] no request here" in console_log.getvalue()


@pytest.mark.django_db
def test_error_pages_show_the_request_id_as_a_reference(manager_client: Client, sandbox: str):
    not_found = manager_client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert _reference(not_found.content.decode(), not_found["X-Request-ID"])
    bad_gateway = manager_client.get(f"/followups/{FAULT_IDS['server_error']}/")
    assert bad_gateway.status_code == 502
    assert _reference(bad_gateway.content.decode(), bad_gateway["X-Request-ID"])
    fine = manager_client.get("/")
    assert "Reference:" not in fine.content.decode()


_JSON_PROBE = """
import django
django.setup()
from django.test import Client
response = Client().post("/healthz", headers={"X-Request-ID": "edge-7f3a"})
print("ID", response["X-Request-ID"])
import logging
try:
    raise RuntimeError("https://s3.amazonaws.com/a.mp3?X-Amz-Signature=0123456789abcdef")
except RuntimeError:
    logging.getLogger("followups").exception("Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl")
"""


def test_json_logs_are_one_redacted_object_per_line_with_the_request_id():
    environment = {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_TRUST_X_REQUEST_ID": "true",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    result = python_run("-c", _JSON_PROBE, env=environment)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    refused = next(record for record in records if "/healthz" in record["message"])
    assert refused["request_id"] == "edge-7f3a"
    assert refused["level"] == "WARNING"
    assert {"time", "logger"} <= set(refused)
    failure = records[-1]
    assert failure["request_id"] == "-"
    assert "0123456789abcdef" not in result.stderr
    assert "eyJhbGciOi" not in result.stderr
    assert "[redacted]" in failure["exc_info"]


def test_an_unknown_log_format_is_refused():
    environment = {**clean_environment(), "DJANGO_DEBUG": "true", "DJANGO_LOG_FORMAT": "xml"}
    result = python_run("manage.py", "check", env=environment)
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be plain or json" in result.stderr
