"""Where every AppError a view raises becomes an answer: an error page (or the main region
htmx swaps in), or the error of the panel that asked, always with the error's own status code.

Views keep their happy path and raise. A view whose panel shows its errors in its own shape
names its renderer with `@errors_rendered_by(...)`; the renderer returns the panel (or None for
the error page). htmx swaps 4xx and 5xx answers into their target (`responseHandling` in
base.html's `htmx-config`), so a panel whose data GetBill failed to give answers GetBill's
failure status with its error in it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from followups.errors import AppError
from followups.htmx import MAIN_TARGET, VARY_HEADERS, page_render, swaps

ErrorRenderer = Callable[[HttpRequest, AppError], HttpResponse | None]
View = TypeVar("View", bound=Callable[..., Any])

_RENDERER_ATTRIBUTE = "app_error_renderer"


def errors_rendered_by(renderer: ErrorRenderer) -> Callable[[View], View]:
    """Let `renderer` answer the AppErrors of the view (its panel with the error in it)."""

    def decorate(view: View) -> View:
        setattr(view, _RENDERER_ATTRIBUTE, renderer)
        return view

    return decorate


def error_context(error: AppError) -> dict[str, Any]:
    """What an error page or a panel's error says; a known wait is counted down next to the
    message, so the message leaves it out."""
    wait = error.retry_after_seconds
    return {
        "status": error.status_code,
        "title": error.page_title,
        "message": (error.reason if wait is not None else "") or error.user_message,
        "hint": error.hint,
        "retryable": error.retryable,
        "retry_at": timezone.now() + timedelta(seconds=wait) if wait is not None else None,
    }


def error_headers_set(response: HttpResponse, error: AppError) -> HttpResponse:
    """The headers every error answer carries: its wait, and `Vary` on htmx's headers (the same
    address answers a page or a panel)."""
    if error.retry_after_seconds is not None:
        response["Retry-After"] = str(error.retry_after_seconds)
    patch_vary_headers(response, VARY_HEADERS)
    return response


def error_page_response(request: HttpRequest, error: AppError) -> HttpResponse:
    """The one error page, with the error's status code. A followup's page offers the lookup
    box again (with what was asked for); a debt's page and the dashboard's refusals only their
    "Try again"."""
    match = request.resolver_match
    query = str(match.kwargs.get("followup_id", "")) if match else ""
    context = {
        **error_context(error),
        "query": query or request.GET.get("q", ""),
        "show_search": error.offers_lookup,
    }
    return page_render(request, "errors/error_page.html", context, status=error.status_code)


def _panel_asked(request: HttpRequest) -> bool:
    # htmx asked for a region other than the page's main one (a page never goes in a panel).
    htmx = getattr(request, "htmx", None)
    return bool(htmx and htmx.target and htmx.target != MAIN_TARGET)


def _panel_view_asked(request: HttpRequest) -> bool:
    # htmx asked for a panel, or for a view that shows its errors in a panel of its own.
    htmx = getattr(request, "htmx", None)
    if htmx and hasattr(request, _RENDERER_ATTRIBUTE) and not swaps(request, MAIN_TARGET):
        return True
    return _panel_asked(request)


def app_error_response(request: HttpRequest, error: AppError) -> HttpResponse:
    """The view's own renderer's answer, else the error of the region htmx asked for, else the
    error page."""
    renderer: ErrorRenderer | None = getattr(request, _RENDERER_ATTRIBUTE, None)
    response = renderer(request, error) if renderer is not None else None
    if response is None and _panel_asked(request):
        response = render(
            request, "errors/_inline_error.html", error_context(error), status=error.status_code
        )
    if response is None:
        response = error_page_response(request, error)
    return error_headers_set(response, error)


class PanelAccessDeniedError(AppError):
    """Django's PermissionDenied, raised where a panel was asked for: told in the panel (the
    page around it was allowed), without the exception's own words."""

    status_code = 403
    title = "Access denied"
    default_message = "You do not have permission to see this."
    audit_outcome = "denied"


class AppErrorMiddleware:
    """The boundary: AppErrors raised by views answered as above; anything else goes on to
    Django (a 500, or the outage page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> None:
        renderer = getattr(view_func, _RENDERER_ATTRIBUTE, None)
        if renderer is not None:
            setattr(request, _RENDERER_ATTRIBUTE, renderer)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDenied) and _panel_view_asked(request):
            return app_error_response(request, PanelAccessDeniedError())
        if not isinstance(exception, AppError):
            return None
        return app_error_response(request, exception)
