"""GETBILL_* settings parsing (config.py), and the client's configuration at run time: a
misconfigured client asks nothing."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_httpserver import HTTPServer

from followups.getbill import (
    UpstreamUnavailableError,
    followup_get,
    origin_host_port,
    scopes_parse,
    seconds_parse,
    upstream_url_clean,
)
from tests.support.examples import (
    FOLLOWUP_ID,
)
from tests.support.getbill_servers import (
    serve_tokens,
)


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("https://getbill.io/external-api/v1", "https://getbill.io/external-api/v1"),
        ("https://getbill.io/external-api/v1/", "https://getbill.io/external-api/v1"),
        ("https://api.getbill.io:8443/token", "https://api.getbill.io:8443/token"),
        ("http://localhost:8000/sandbox/token", "http://localhost:8000/sandbox/token"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://127.5.6.7/x", "http://127.5.6.7/x"),
        ("http://[::1]:8000/api", "http://[::1]:8000/api"),
    ],
)
def test_upstream_urls_accepted(value: str, cleaned: str):
    assert upstream_url_clean(name="GETBILL_API_URL", value=value) == cleaned


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://getbill.io/external-api/v1", "must use https"),
        ("http://10.0.0.5/api", "must use https"),
        ("http://localhost.example.com/api", "must use https"),
        ("ftp://getbill.io/", "absolute https URL"),
        ("getbill.io/external-api/v1", "absolute https URL"),
        ("https:///external-api", "absolute https URL"),
        ("", "plain ASCII URL"),
        (" https://getbill.io", "plain ASCII URL"),
        ("https://getbill.io/v1?x=1", "query or fragment"),
        ("https://getbill.io/v1#top", "query or fragment"),
        ("https://getbill.io/v1/../admin", "unusual path"),
        ("https://getbill.io//v1", "unusual path"),
        ("https://getbill.io/v1/%2e%2e", "unusual path"),
        ("https://getbill.io:99999/v1", "not a valid URL"),
        ("https://getbill.io\\@evil.example/v1", "backslashes"),
        ("https://gétbill.io/v1", "plain ASCII URL"),
    ],
)
def test_upstream_urls_refused_with_a_clear_message(value: str, message: str):
    with pytest.raises(ImproperlyConfigured, match=message) as raised:
        upstream_url_clean(name="GETBILL_API_URL", value=value)
    assert "GETBILL_API_URL" in str(raised.value)


def test_credentials_in_an_upstream_url_are_refused_without_being_repeated():
    with pytest.raises(ImproperlyConfigured, match="user name or password") as raised:
        upstream_url_clean(name="GETBILL_TOKEN_URL", value="https://me:hunter2@getbill.io/token")
    assert "hunter2" not in str(raised.value)


def test_scopes_normalised():
    assert scopes_parse(value="followups:read, debts:read  followups:read") == (
        "followups:read debts:read"
    )


@pytest.mark.parametrize("value", ["", " , ", 'followups:"read"', "followups\\read"])
def test_bad_scopes_refused(value: str):
    with pytest.raises(ImproperlyConfigured, match="GETBILL_SCOPES"):
        scopes_parse(value=value)


@pytest.mark.parametrize(("value", "seconds"), [("3", 3.0), ("0.25", 0.25), ("300", 300.0)])
def test_seconds_parsed(value: str, seconds: float):
    assert seconds_parse(name="GETBILL_DEADLINE", value=value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "0", "-1", "301", "nan", "inf"])
def test_bad_seconds_refused(value: str):
    with pytest.raises(ImproperlyConfigured, match="GETBILL_DEADLINE"):
        seconds_parse(name="GETBILL_DEADLINE", value=value)


def test_origin_host_port():
    assert origin_host_port(origin="http://127.0.0.1:8123") == "127.0.0.1:8123"
    assert origin_host_port(origin="http://localhost") == "localhost:80"
    assert origin_host_port(origin="http://[::1]:8000") == "[::1]:8000"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("GETBILL_API_URL", "http://getbill.example.com/external-api/v1"),
        ("GETBILL_TOKEN_URL", "ftp://127.0.0.1/token"),
        ("GETBILL_API_URL", "https://getbill.example.com/v1/../admin"),
        ("GETBILL_CLIENT_SECRET", ""),
    ],
)
def test_misconfigured_client_makes_no_request(upstream: HTTPServer, settings: Any, setting, value):
    serve_tokens(upstream, "token-one")
    setattr(settings, setting, value)

    with pytest.raises(UpstreamUnavailableError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert "misconfigured" in raised.value.user_message
    assert upstream.log == []
