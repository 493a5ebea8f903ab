"""Parsing and validation of the GETBILL_* settings.

Pure functions: `dashboard/settings.py` calls them at start-up so that a bad value stops the
process with a message naming the variable, instead of surfacing as an odd failure on the first
lookup. Messages never repeat a value that could hold a credential.
"""

import ipaddress
import math
import re
from urllib.parse import SplitResult, urlsplit

from django.core.exceptions import ImproperlyConfigured

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

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT_RE = re.compile(r"[0-9]{1,5}")
# RFC 6749 section 3.3: scope tokens are printable ASCII except space, '"' and '\'.
_SCOPE_TOKEN_RE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def host_is_loopback(*, host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (brackets allowed), the hosts allowed over http."""
    host = host.lower().removeprefix("[").removesuffix("]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def _media_host_clean(*, entry: str) -> str:
    host, port = entry, ""
    if entry.startswith("["):
        host, bracket, rest = entry.partition("]")
        host += bracket
        if rest:
            if not rest.startswith(":"):
                raise ValueError
            port = rest[1:]
    elif ":" in entry:
        host, _, port = entry.partition(":")
    if port and (not _PORT_RE.fullmatch(port) or not 0 < int(port) < 65536):
        raise ValueError
    if host.startswith("["):
        ipaddress.IPv6Address(host[1:-1])
    else:
        bare = host.removeprefix("*.")
        if not _HOSTNAME_RE.fullmatch(bare):
            raise ValueError
        if bare != host and "." not in bare:
            # "*.com" would allow a whole top-level domain.
            raise ValueError
    return f"{host}:{int(port)}" if port else host


def media_hosts_parse(*, value: str) -> list[str]:
    """Parse GETBILL_MEDIA_HOSTS: comma-separated `host`, `host:port` or `*.domain` entries."""
    entries = [entry.strip().lower() for entry in value.split(",") if entry.strip()]
    if not entries:
        raise ImproperlyConfigured("GETBILL_MEDIA_HOSTS must name at least one host.")
    cleaned = []
    for entry in entries:
        try:
            cleaned.append(_media_host_clean(entry=entry))
        except ValueError:
            raise ImproperlyConfigured(
                f"GETBILL_MEDIA_HOSTS entry {entry!r} is not a host, host:port or *.domain "
                "(no scheme, path or wildcard other than a leading '*.')."
            ) from None
    return cleaned


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
