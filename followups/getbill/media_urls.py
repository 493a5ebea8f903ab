"""Which recording and PDF URLs from GetBill the dashboard may put in a page.

GetBill hands out pre-signed URLs; a page only ever links to one that points at a host listed
in GETBILL_MEDIA_HOSTS (the same list the Content Security Policy's media-src is built from),
so a tampered or unexpected URL is never played or linked.

The list's `host`, `host:port` and `*.domain` entries are read by `media_host_parse` alone:
for the settings at start-up, for the check of each link, and for the CSP.
"""

import functools
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Pre-signed S3 URLs with session tokens run to about 2 KB; anything far longer is not one.
MAX_MEDIA_URL_LENGTH = 8192
_DEFAULT_PORTS = {"https": 443, "http": 80}

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT_RE = re.compile(r"[0-9]{1,5}")


def host_is_loopback(*, host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (brackets allowed), the hosts allowed over http."""
    host = host.lower().removeprefix("[").removesuffix("]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class MediaHost:
    """One GETBILL_MEDIA_HOSTS entry: `host` is a name, `*.domain` or a bracketed IPv6
    address; `port` is None when the entry names none (the scheme's default)."""

    host: str
    port: int | None = None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" if self.port is not None else self.host

    @property
    def is_ipv6(self) -> bool:
        return self.host.startswith("[")

    def matches(self, *, host: str, port: int, default_port: int) -> bool:
        if port != (self.port if self.port is not None else default_port):
            return False
        if self.host.startswith("*."):
            # As in CSP, "*.example.com" matches any subdomain but not example.com itself.
            return host.endswith(self.host[1:])
        return host == self.host


def media_host_parse(*, entry: str) -> MediaHost:
    """A GETBILL_MEDIA_HOSTS entry (already stripped and lower-cased); ValueError if not one."""
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
    return MediaHost(host=host, port=int(port) if port else None)


def media_hosts_parse(*, value: str) -> list[str]:
    """Parse GETBILL_MEDIA_HOSTS: comma-separated `host`, `host:port` or `*.domain` entries."""
    entries = [entry.strip().lower() for entry in value.split(",") if entry.strip()]
    if not entries:
        raise ImproperlyConfigured("GETBILL_MEDIA_HOSTS must name at least one host.")
    cleaned = []
    for entry in entries:
        try:
            cleaned.append(str(media_host_parse(entry=entry)))
        except ValueError:
            raise ImproperlyConfigured(
                f"GETBILL_MEDIA_HOSTS entry {entry!r} is not a host, host:port or *.domain "
                "(no scheme, path or wildcard other than a leading '*.')."
            ) from None
    return cleaned


def media_hosts_read(*, entries: Sequence[str]) -> tuple[MediaHost, ...]:
    """GETBILL_MEDIA_HOSTS entries, parsed; an entry that is not one allows nothing."""
    return _media_hosts(tuple(entries))


@functools.lru_cache(maxsize=16)
def _media_hosts(entries: tuple[str, ...]) -> tuple[MediaHost, ...]:
    hosts = []
    for entry in entries:
        try:
            hosts.append(media_host_parse(entry=entry.strip().lower()))
        except ValueError:
            continue
    return tuple(hosts)


def media_hosts_get() -> tuple[MediaHost, ...]:
    """GETBILL_MEDIA_HOSTS as it is now, parsed.

    The setting can change at run time (the sandbox's `runserver`, tests), so it is read on
    each use.
    """
    return media_hosts_read(entries=settings.GETBILL_MEDIA_HOSTS)


def media_url_allowed(*, url: str | None) -> bool:
    """True when `url` is https on a GETBILL_MEDIA_HOSTS host (http only for loopback hosts)."""
    if not isinstance(url, str) or not url or len(url) > MAX_MEDIA_URL_LENGTH:
        return False
    if not url.isascii() or not url.isprintable() or " " in url or "\\" in url:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if "@" in parts.netloc or not parts.hostname:
        return False
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if parts.scheme == "http":
        if not host_is_loopback(host=parts.hostname):
            return False
    elif parts.scheme != "https":
        return False
    default_port = _DEFAULT_PORTS[parts.scheme]
    return any(
        entry.matches(host=host, port=port or default_port, default_port=default_port)
        for entry in media_hosts_get()
    )
