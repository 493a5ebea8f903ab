from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from followups import access, debts, presentation, services
from followups.getbill import (
    GetBillError,
    GetBillId,
    InvalidIdError,
    RateLimitedError,
    getbill_id_clean,
)
from followups.models import AuditAction

# Swaps of the page's main region get the content alone; everything else gets the whole page
# (including htmx's history restore, which asks for a full page).
MAIN_TARGET = "main"
# Same URL, two bodies: caches must key on whether htmx asked, and for which element.
vary_on_htmx = vary_on_headers("HX-Request", "HX-Target")


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (installed for every view)."""

    htmx: HtmxDetails


def _swaps(request: HtmxHttpRequest, target: str) -> bool:
    """True when htmx asks for the element `target` alone (not a history restore, which needs
    the whole page)."""
    htmx = request.htmx
    return bool(htmx and htmx.target == target and not htmx.history_restore_request)


def _retry_after_set(response: HttpResponse, error: GetBillError) -> None:
    if isinstance(error, RateLimitedError) and error.retry_after_seconds is not None:
        response["Retry-After"] = str(error.retry_after_seconds)


def page_render(
    request: HtmxHttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render a page, or only its main region when htmx swaps it in (views say `Vary`)."""
    base = "followups/_main_only.html" if _swaps(request, MAIN_TARGET) else "base.html"
    return render(request, template, {**context, "base_template": base}, status=status)


def getbill_error_context(error: GetBillError) -> dict[str, Any]:
    """What an error page (or a panel's inline error) says about a GetBill failure."""
    retry_after = error.retry_after_seconds if isinstance(error, RateLimitedError) else None
    return {
        "status": error.status_code,
        "title": error.page_title,
        "message": error.user_message,
        "hint": error.hint,
        "retry_at": (
            timezone.now() + timedelta(seconds=retry_after) if retry_after is not None else None
        ),
    }


def getbill_error_response(
    request: HtmxHttpRequest, error: GetBillError, *, query: str = ""
) -> HttpResponse:
    """The one error page for every GetBill failure, with the error's status code."""
    response = page_render(
        request,
        "errors/getbill_error.html",
        {**getbill_error_context(error), "query": query},
        status=error.status_code,
    )
    _retry_after_set(response, error)
    return response


def _search_page(
    request: HtmxHttpRequest, *, query: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    return page_render(
        request,
        "followups/search.html",
        {
            "query": query,
            "error": error,
            "recent_views": services.recent_views_list(user=request.user),
        },
        status=status,
    )


@require_GET
@vary_on_htmx
def search(request: HtmxHttpRequest) -> HttpResponse:
    # The search box of older pages and bookmarks sent `/?q=`: same behaviour as the lookup.
    if "q" in request.GET:
        return lookup(request)
    return _search_page(request)


@require_GET
@vary_on_htmx
def lookup(request: HtmxHttpRequest) -> HttpResponse:
    """`?q=<ID, link or text>` -> the followup's permanent page."""
    query = request.GET.get("q", "")
    if "q" not in request.GET:
        return redirect("followups:search")
    try:
        followup_id = services.followup_id_from_input(user=_signed_in_user(request), text=query)
    except InvalidIdError as error:
        return _search_page(request, query=query, error=error.user_message, status=400)
    url = reverse("followups:detail", kwargs={"followup_id": followup_id})
    if _swaps(request, MAIN_TARGET):
        # One round trip: render the followup here and move the address bar to its own URL.
        return push_url(_detail_response(request, followup_id), url)
    return HttpResponseRedirect(url)


def _signed_in_user(request: HttpRequest) -> AbstractBaseUser:
    # LoginRequiredMiddleware guarantees it; this tells the type checker and fails closed.
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def _detail_response(request: HtmxHttpRequest, followup_id: GetBillId) -> HttpResponse:
    try:
        followup = services.followup_lookup(user=_signed_in_user(request), followup_id=followup_id)
    except GetBillError as error:
        return getbill_error_response(request, error, query=followup_id)
    return page_render(
        request,
        "followups/detail.html",
        {"detail": presentation.followup_detail(followup=followup), "followup": followup},
    )


@require_GET
@vary_on_htmx
def detail(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    try:
        clean_id = access.getbill_id_require(
            user=_signed_in_user(request), action=AuditAction.LOOKUP, raw=followup_id
        )
    except InvalidIdError as error:
        return getbill_error_response(request, error, query=followup_id)
    return _detail_response(request, clean_id)


# The debt page's filter form swaps its results region alone.
DEBT_RESULTS_TARGET = "debt-results"
DEBT_DENIED_MESSAGE = "You do not have permission to see this debt's followups."


@require_GET
@vary_on_htmx
def debt_followups(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """Every followup of a debt with totals; `?type=` and `?status=` filter the list and
    `?current=` marks the followup the reviewer came from."""
    user = _signed_in_user(request)
    try:
        clean_id = access.getbill_id_require(
            user=user, action=AuditAction.DEBT_LOOKUP, raw=debt_id, subject="debt"
        )
        timeline = debts.debt_timeline_get(user=user, debt_id=clean_id)
    except GetBillError as error:
        return getbill_error_response(request, error)
    context = {
        "timeline": timeline,
        "view": debts.debt_timeline_filter(
            timeline=timeline,
            followup_type=request.GET.get("type", ""),
            status=request.GET.get("status", ""),
            current_id=request.GET.get("current", ""),
        ),
        "page_url": reverse("followups:debt_followups", kwargs={"debt_id": timeline.debt_id}),
    }
    if _swaps(request, DEBT_RESULTS_TARGET):
        return render(request, "followups/_debt_results.html", context)
    return page_render(request, "followups/debt_followups.html", context)


@require_GET
@vary_on_headers("HX-Request")
def debt_timeline(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """The detail page's panel of the debt's followups around `?current=`, which htmx loads
    once the page is shown.

    A failure is a short message in the panel, answered with 200 and the error's own status in
    `data-error-status`: htmx swaps only successful answers, and the page around the panel did
    not fail. Opened without htmx (a new tab), the address leads to the full debt page.
    """
    current = request.GET.get("current", "")
    if not request.htmx:
        url = reverse("followups:debt_followups", kwargs={"debt_id": debt_id})
        return redirect(f"{url}?{urlencode({'current': current})}" if current else url)
    context: dict[str, Any] = {}
    try:
        clean_id = getbill_id_clean(raw=debt_id, subject="debt")
        context["links"] = debts.debt_links(debt_id=clean_id, current_id=current)
        timeline = debts.debt_timeline_get(user=_signed_in_user(request), debt_id=clean_id)
    except GetBillError as error:
        context["error"] = getbill_error_context(error)
    except PermissionDenied:
        context["error"] = {"status": 403, "title": "Access denied", "message": DEBT_DENIED_MESSAGE}
    else:
        context["timeline"] = timeline
        context["window"] = debts.debt_timeline_window(timeline=timeline, current_id=current)
    return render(request, "followups/_debt_side.html", context)


@never_cache
@require_GET
@vary_on_headers("HX-Request")
def followup_recording(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The recording fragment with a freshly signed link, for the player to renew its own.

    Only the player asks (an htmx-style request); a person who opens the address gets the page.
    A failure answers with its status and a short text: the player then offers a reload.
    """
    if not request.htmx:
        return HttpResponseRedirect(
            reverse("followups:detail", kwargs={"followup_id": followup_id}) + "#recording"
        )
    user = _signed_in_user(request)
    try:
        clean_id = access.getbill_id_require(
            user=user, action=AuditAction.RECORDING_URL_REFRESH, raw=followup_id
        )
        followup = services.followup_recording_refresh(user=user, followup_id=clean_id)
    except GetBillError as error:
        response = HttpResponse(
            error.user_message, status=error.status_code, content_type="text/plain; charset=utf-8"
        )
        _retry_after_set(response, error)
    else:
        response = render(
            request,
            "followups/_recording.html",
            {"detail": presentation.followup_detail(followup=followup), "followup": followup},
        )
    return response


@require_POST
def recording_played(request: HttpRequest, followup_id: str) -> HttpResponse:
    """The player reports that playback started (navigator.sendBeacon, CSRF token in the form
    data), for the audit trail. Nobody reads the answer: a bare status, 204 when recorded."""
    user = _signed_in_user(request)
    try:
        clean_id = access.getbill_id_require(
            user=user, action=AuditAction.RECORDING_PLAY, raw=followup_id
        )
        services.recording_play_record(user=user, followup_id=clean_id)
    except GetBillError as error:
        return HttpResponse(status=error.status_code)
    return HttpResponse(status=204)
