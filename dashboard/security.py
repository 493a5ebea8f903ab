"""Response hardening that depends on the request: the CSP's media hosts, no caching of pages
shown to signed-in users, and the page for a locked-out sign-in."""

import math
from collections.abc import Callable, Sequence
from typing import Any

from axes.helpers import get_cool_off
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from followups.getbill import host_is_loopback, media_hosts_read

SELF = "'self'"


def media_sources(*, hosts: Sequence[str]) -> list[str]:
    """CSP `media-src` sources for GETBILL_MEDIA_HOSTS entries (`host`, `host:port`, `*.domain`):
    'self', each host over https, and loopback hosts over http too (as media_url_allowed)."""
    sources = [SELF]
    for entry in media_hosts_read(entries=hosts):
        if entry.is_ipv6:
            # CSP host-sources cannot name an IPv6 address; such a media host is reachable only
            # when it is the dashboard's own origin ('self').
            continue
        sources.append(f"https://{entry}")
        if host_is_loopback(host=entry.host):
            sources.append(f"http://{entry}")
    return sources


class DashboardCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with `media-src` built from GETBILL_MEDIA_HOSTS on each request.

    The list can change at run time (the sandbox's `runserver` points it at its own address),
    so it is not frozen into the CONTENT_SECURITY_POLICY setting.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            media = {"media-src": media_sources(hosts=settings.GETBILL_MEDIA_HOSTS)}
            parts.replace = {**media, **(parts.replace or {})}
        return parts


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user.

    Those pages hold debtor data and recording links; neither the browser's cache nor a proxy
    may keep them. A response that sets its own Cache-Control keeps it. Static files are served
    before this runs and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


def login_lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page for too many failed sign-ins (django-axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    seconds = math.ceil(cool_off.total_seconds()) if cool_off else None
    response = render(
        request,
        "registration/locked_out.html",
        {"cool_off_minutes": math.ceil(seconds / 60) if seconds else None},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
