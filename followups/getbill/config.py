"""Parsing and validation of the GETBILL_* settings, and the client's configuration.

The parsers are pure functions: `dashboard/settings.py` calls them at start-up so that a bad
value stops the process with a message naming the variable, instead of surfacing as an odd
failure on the first lookup. Messages never repeat a value that could hold a credential.

`config_get` checks the settings again for the client (they can be changed at run time: the
sandbox, tests), once, until a GETBILL_* setting changes.
"""

import functools
import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from followups.getbill.errors import MISCONFIGURED, UpstreamUnavailableError
from followups.getbill.media_urls import host_is_loopback

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://getbill.io/external-api/v1"
DEFAULT_TOKEN_URL = "https://getbill.io/token"  # noqa: S105 - an endpoint, not a secret
DEFAULT_SCOPES = "followups:read"
# GetBill's media links are S3 pre-signed URLs: path-style (s3.amazonaws.com/bucket/...) as in
# the documented example, or virtual-hosted style (bucket.s3.amazonaws.com/...).
DEFAULT_MEDIA_HOSTS = "s3.amazonaws.com,*.s3.amazonaws.com"
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_DEADLINE = 15.0
MAX_TIMEOUT = 300.0

# RFC 6749 section 3.3: scope tokens are printable ASCII except space, '"' and '\'.
_SCOPE_TOKEN_RE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def _url_split(*, name: str, value: str) -> SplitResult:
    if not value or value != value.strip() or not value.isascii() or not value.isprintable():
        raise ImproperlyConfigured(f"{name} must be a plain ASCII URL without spaces.")
    if "\\" in value:
        raise ImproperlyConfigured(f"{name} must not contain backslashes.")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid URL.") from None
    if "@" in parts.netloc:
        # The value may hold a password: do not echo it.
        raise ImproperlyConfigured(f"{name} must not contain a user name or password.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an absolute https URL, got {value!r}.")
    if parts.scheme == "http" and not host_is_loopback(host=parts.hostname):
        raise ImproperlyConfigured(
            f"{name} must use https; plain http is only allowed for loopback hosts "
            f"(localhost, 127.0.0.0/8, ::1), got {value!r}."
        )
    if port == 0:
        raise ImproperlyConfigured(f"{name} has an invalid port, got {value!r}.")
    return parts


def upstream_url_clean(*, name: str, value: str) -> str:
    """Validate an upstream base URL (API or token endpoint); return it without trailing slash.

    The client appends paths to it verbatim, so anything a URL parser could rewrite (dot
    segments, percent-escapes, empty segments, a query or fragment) is refused here.
    """
    parts = _url_split(name=name, value=value)
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ImproperlyConfigured(f"{name} must not have a query or fragment, got {value!r}.")
    path = parts.path.rstrip("/")
    segments = path.split("/")[1:]
    if any(segment in ("", ".", "..") or "%" in segment for segment in segments):
        raise ImproperlyConfigured(
            f"{name} has an unusual path (empty, '.', '..' or percent-escaped segments), "
            f"got {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc}{path}"


def origin_host_port(*, origin: str) -> str:
    """`host:port` of an origin URL, as a GETBILL_MEDIA_HOSTS entry (used in sandbox mode)."""
    parts = _url_split(name="GETBILL_SANDBOX_ORIGIN", value=origin)
    assert parts.hostname is not None  # checked by _url_split
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{host}:{port}"


def scopes_parse(*, value: str) -> str:
    """Parse GETBILL_SCOPES (space- or comma-separated) into the OAuth space-separated form."""
    scopes = value.replace(",", " ").split()
    if not scopes:
        raise ImproperlyConfigured("GETBILL_SCOPES must name at least one scope.")
    for scope in scopes:
        if not _SCOPE_TOKEN_RE.fullmatch(scope):
            raise ImproperlyConfigured(f"GETBILL_SCOPES has an invalid scope {scope!r}.")
    return " ".join(dict.fromkeys(scopes))


def seconds_parse(*, name: str, value: str) -> float:
    """Parse a timeout in seconds: a number above 0 and at most MAX_TIMEOUT."""
    try:
        seconds = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, got {value!r}.") from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIMEOUT:
        raise ImproperlyConfigured(
            f"{name} must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {value!r}."
        )
    return seconds


@dataclass(frozen=True)
class GetBillConfig:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str
    connect_timeout: float
    read_timeout: float
    deadline: float

    @property
    def cache_prefix(self) -> str:
        # Tokens and quotas belong to one client of one GetBill: a settings change never sends a
        # token to another upstream. The secret is not part of the key.
        identity = "\n".join((self.api_url, self.token_url, self.client_id, self.scopes))
        return "getbill:" + hashlib.sha256(identity.encode()).hexdigest()[:16]


@functools.cache
def _config_checked() -> GetBillConfig:
    try:
        config = GetBillConfig(
            api_url=upstream_url_clean(name="GETBILL_API_URL", value=settings.GETBILL_API_URL),
            token_url=upstream_url_clean(
                name="GETBILL_TOKEN_URL", value=settings.GETBILL_TOKEN_URL
            ),
            client_id=settings.GETBILL_CLIENT_ID,
            client_secret=settings.GETBILL_CLIENT_SECRET,
            scopes=scopes_parse(value=settings.GETBILL_SCOPES),
            connect_timeout=float(settings.GETBILL_CONNECT_TIMEOUT),
            read_timeout=float(settings.GETBILL_READ_TIMEOUT),
            deadline=float(settings.GETBILL_DEADLINE),
        )
    except ImproperlyConfigured as exc:
        logger.error("GetBill settings are invalid: %s", exc)
        raise UpstreamUnavailableError(MISCONFIGURED) from None
    if not config.client_id or not config.client_secret:
        logger.error("GetBill settings are invalid: client id or secret is empty")
        raise UpstreamUnavailableError(MISCONFIGURED)
    return config


def config_get() -> GetBillConfig:
    """The client's settings, checked; UpstreamUnavailableError when they are unusable.

    A failed check is not kept: it is logged and refused again on every lookup.
    """
    return _config_checked()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("GETBILL_"):
        _config_checked.cache_clear()


setting_changed.connect(_on_setting_changed)
