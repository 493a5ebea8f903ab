"""GETBILL_* settings: parsing, start-up refusal of bad values, and the media host allowlist."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from followups.getbill import (
    host_is_loopback,
    media_hosts_parse,
    media_url_allowed,
    origin_host_port,
    scopes_parse,
    seconds_parse,
    upstream_url_clean,
)
from sandbox.origin import sandbox_origin_set
from tests.test_foundation import run_django_check

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "example.com",
    "GETBILL_CLIENT_ID": "client",
    "GETBILL_CLIENT_SECRET": "secret-value-never-echoed",
}


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


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("[::1]", True),
        ("128.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - checked, not bound
        ("localhost.evil.example", False),
        ("s3.amazonaws.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool):
    assert host_is_loopback(host=host) is loopback


def test_media_hosts_parsed():
    assert media_hosts_parse(
        value=" S3.amazonaws.com, *.s3.amazonaws.com ,127.0.0.1:8000,[::1]:9000,,"
    ) == ["s3.amazonaws.com", "*.s3.amazonaws.com", "127.0.0.1:8000", "[::1]:9000"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        " , ",
        "https://s3.amazonaws.com",
        "s3.amazonaws.com/bucket",
        "*",
        "*.com",
        "s3.*.amazonaws.com",
        "host:0",
        "host:70000",
        "host:port",
        "-bad-.example.com",
        "[not-ipv6]:80",
    ],
)
def test_bad_media_hosts_refused(value: str):
    with pytest.raises(ImproperlyConfigured, match="GETBILL_MEDIA_HOSTS"):
        media_hosts_parse(value=value)


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


# --- Start-up ------------------------------------------------------------------------------


def test_production_starts_with_every_getbill_setting():
    result = run_django_check(
        **PRODUCTION_ENV,
        GETBILL_API_URL="https://api.getbill.io/external-api/v1",
        GETBILL_TOKEN_URL="https://api.getbill.io/token",
        GETBILL_SCOPES="followups:read debts:read",
        GETBILL_MEDIA_HOSTS="*.s3.eu-west-3.amazonaws.com,s3.eu-west-3.amazonaws.com",
        GETBILL_CONNECT_TIMEOUT="2",
        GETBILL_READ_TIMEOUT="8",
        GETBILL_DEADLINE="12",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("GETBILL_API_URL", "http://getbill.io/external-api/v1", "GETBILL_API_URL must use https"),
        ("GETBILL_MEDIA_HOSTS", "https://s3.amazonaws.com", "GETBILL_MEDIA_HOSTS entry"),
        ("GETBILL_DEADLINE", "forever", "GETBILL_DEADLINE must be a number"),
    ],
)
def test_a_bad_getbill_setting_stops_start_up(setting: str, value: str, message: str):
    result = run_django_check(**PRODUCTION_ENV, **{setting: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert PRODUCTION_ENV["GETBILL_CLIENT_SECRET"] not in result.stderr


def test_sandbox_mode_points_everything_at_its_origin(settings: Any):
    # Through the fixture first, so that what sandbox_origin_set writes is undone afterwards.
    settings.SANDBOX_ORIGIN = "http://127.0.0.1:8000"
    sandbox_origin_set(origin="http://127.0.0.1:8765")

    assert settings.GETBILL_API_URL == "http://127.0.0.1:8765/sandbox/external-api/v1"
    assert settings.GETBILL_TOKEN_URL == "http://127.0.0.1:8765/sandbox/token"
    assert settings.GETBILL_MEDIA_HOSTS == ["127.0.0.1:8765"]
    assert media_url_allowed(url="http://127.0.0.1:8765/sandbox/media/a.mp3?X-Amz-Signature=1")


# --- Media URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc", True),
        ("https://my-bucket.s3.amazonaws.com/call.mp3?X-Amz-Signature=abc", True),
        ("https://a.b.s3.amazonaws.com/call.mp3", True),
        ("https://S3.AMAZONAWS.COM/bucket/call.mp3", True),
        ("https://s3.amazonaws.com:443/bucket/call.mp3", True),
        ("https://s3.amazonaws.com:8443/bucket/call.mp3", False),
        ("http://s3.amazonaws.com/bucket/call.mp3", False),
        ("https://evil.example/s3.amazonaws.com/call.mp3", False),
        ("https://s3.amazonaws.com.evil.example/call.mp3", False),
        ("https://evils3.amazonaws.com/call.mp3", False),
        ("https://s3.amazonaws.com@evil.example/call.mp3", False),
        ("https://evil.example\\@s3.amazonaws.com/call.mp3", False),
        ("https://s3.amazonaws.com/bucket/call mp3", False),
        ("https://s3.amazonaws.com/bucket/\u202ecall.mp3", False),
        ("javascript:alert(1)//s3.amazonaws.com", False),
        ("//s3.amazonaws.com/bucket/call.mp3", False),
        ("data:audio/mp3;base64,AAAA", False),
        ("https://s3.amazonaws.com/" + "a" * 9000, False),
        ("", False),
        (None, False),
    ],
)
def test_media_url_allowed_on_default_hosts(settings: Any, url: str | None, allowed: bool):
    settings.GETBILL_MEDIA_HOSTS = media_hosts_parse(value="s3.amazonaws.com,*.s3.amazonaws.com")
    assert media_url_allowed(url=url) is allowed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/sandbox/media/call.mp3", True),
        ("https://127.0.0.1:8000/sandbox/media/call.mp3", True),
        ("http://127.0.0.1:8001/sandbox/media/call.mp3", False),
        ("http://127.0.0.1/sandbox/media/call.mp3", False),
        ("http://localhost:8000/sandbox/media/call.mp3", False),
        ("http://[::1]:9000/media/call.mp3", True),
        ("http://media.internal:9000/call.mp3", False),
        ("https://media.internal:9000/call.mp3", True),
    ],
)
def test_media_url_allowed_with_ports(settings: Any, url: str, allowed: bool):
    settings.GETBILL_MEDIA_HOSTS = ["127.0.0.1:8000", "[::1]:9000", "media.internal:9000"]
    assert media_url_allowed(url=url) is allowed
