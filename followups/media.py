"""Which recording and PDF URLs from GetBill the dashboard may put in a page.

GetBill hands out pre-signed URLs; a page only ever links to one that points at a host listed
in GETBILL_MEDIA_HOSTS (the same list the Content Security Policy's media-src is built from),
so a tampered or unexpected URL is never played or linked.
"""

from urllib.parse import urlsplit

from django.conf import settings

from followups.upstream_config import host_is_loopback

# Pre-signed S3 URLs with session tokens run to about 2 KB; anything far longer is not one.
MAX_MEDIA_URL_LENGTH = 8192
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _host_matches(*, entry: str, host: str, port: int, default_port: int) -> bool:
    entry = entry.lower()
    entry_host, entry_port = entry, default_port
    if entry.startswith("["):
        entry_host, _, rest = entry.partition("]")
        entry_host += "]"
        if rest:
            entry_port = int(rest[1:])
    elif ":" in entry:
        entry_host, _, port_text = entry.partition(":")
        entry_port = int(port_text)
    if port != entry_port:
        return False
    if entry_host.startswith("*."):
        # As in CSP, "*.example.com" matches any subdomain but not example.com itself.
        return host.endswith(entry_host[1:])
    return host == entry_host


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
        _host_matches(entry=entry, host=host, port=port or default_port, default_port=default_port)
        for entry in settings.GETBILL_MEDIA_HOSTS
    )
