"""Which media links may reach a page (media_urls.py), and the GETBILL_MEDIA_HOSTS entries."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from followups.getbill import (
    host_is_loopback,
    media_hosts_parse,
    media_url_allowed,
)


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
