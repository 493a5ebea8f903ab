"""The htmx helpers of every app's views: the typed request, whether htmx asks for one region
of a page, and the page rendered whole or as its main region."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

# Swaps of the page's main region get the content alone; everything else gets the whole page
# (including htmx's history restore, which asks for a full page).
MAIN_TARGET = "main"
# Same URL, two bodies: caches must key on whether htmx asked, and for which element.
VARY_HEADERS = ("HX-Request", "HX-Target")
vary_on_htmx = vary_on_headers(*VARY_HEADERS)


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (installed for every view)."""

    htmx: HtmxDetails


def swaps(request: HttpRequest, target: str) -> bool:
    """True when htmx asks for the element `target` alone (not a history restore, which needs
    the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and htmx.target == target and not htmx.history_restore_request)


def page_render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render a page, or only its main region when htmx swaps it in (views say `Vary`)."""
    base = "followups/_main_only.html" if swaps(request, MAIN_TARGET) else "base.html"
    return render(request, template, {**context, "base_template": base}, status=status)
