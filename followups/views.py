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
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_htmx.middleware import HtmxDetails

from followups import access, browse, debt_card, debts, extensions, presentation, services
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
    """What an error page (or a panel's inline error) says about a GetBill failure; a known
    wait is counted down next to the message, so the message leaves it out."""
    retry_after = None
    message = error.user_message
    if isinstance(error, RateLimitedError) and error.retry_after_seconds is not None:
        retry_after = error.retry_after_seconds
        message = error.reason
    return {
        "status": error.status_code,
        "title": error.page_title,
        "message": message,
        "hint": error.hint,
        "retry_at": (
            timezone.now() + timedelta(seconds=retry_after) if retry_after is not None else None
        ),
    }


def getbill_error_response(
    request: HtmxHttpRequest, error: GetBillError, *, query: str = ""
) -> HttpResponse:
    """The one error page for every GetBill failure, with the error's status code.

    A followup's page offers the lookup box again; a debt's page only its "Try again", which
    asks for the same debt.
    """
    response = page_render(
        request,
        "errors/getbill_error.html",
        {**getbill_error_context(error), "query": query, "show_search": error.subject != "debt"},
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
    """`?q=<ID, link or text>` -> the followup's permanent page (a debt's for a pasted debt
    link); without `q`, the list of followups."""
    if "q" not in request.GET:
        return _list_response(request)
    query = request.GET.get("q", "")
    if services.text_is_words(text=query):
        # Words rather than an ID: searched where an app offers it (its page also offers to
        # open a followup of that ID, in case it was one).
        words_url = extensions.words_search_url(user=_signed_in_user(request), text=query)
        if words_url is not None:
            if request.htmx:
                return HttpResponseClientRedirect(words_url)
            return HttpResponseRedirect(words_url)
    debt_id = services.debt_id_from_link(text=query)
    if debt_id is not None:
        url = reverse("followups:debt_followups", kwargs={"debt_id": debt_id})
        if _swaps(request, MAIN_TARGET):
            return push_url(_debt_response(request, debt_id), url)
        return HttpResponseRedirect(url)
    try:
        followup_id = services.followup_id_from_input(user=_signed_in_user(request), text=query)
    except InvalidIdError as error:
        return _search_page(request, query=query, error=error.user_message, status=400)
    url = reverse("followups:detail", kwargs={"followup_id": followup_id})
    if _swaps(request, MAIN_TARGET):
        # One round trip: render the followup here and move the address bar to its own URL.
        return push_url(_detail_response(request, followup_id), url)
    return HttpResponseRedirect(url)


# The list's filter form and page links swap its results region alone.
LIST_RESULTS_TARGET = "followups-results"


def _list_response(request: HtmxHttpRequest) -> HttpResponse:
    """A page of the followups list, filtered by `?type=` and `?status=`, page `?page=`."""
    user = _signed_in_user(request)
    try:
        filters = browse.list_filters_require(user=user, query=request.GET)
    except browse.ListInputError as error:
        # The list's own page with the message, the filters reset; GetBill was not asked.
        context = {"listing": browse.FollowupsListing.empty(), "error": error}
        return page_render(request, "followups/list.html", context, status=error.status_code)
    try:
        listing = browse.followups_browse(user=user, filters=filters)
    except GetBillError as error:
        return getbill_error_response(request, error)
    if _swaps(request, LIST_RESULTS_TARGET):
        # The address bar gets the list's own address, without the form's empty fields.
        response = render(request, "followups/_list_results.html", {"listing": listing})
        return push_url(response, filters.url())
    return page_render(request, "followups/list.html", {"listing": listing})


QUEUE_SESSION_KEY = "review_queue"


@require_GET
@vary_on_htmx
def queue(request: HtmxHttpRequest) -> HttpResponse:
    """The reviewer's queue, part `?part=` (newest first); `?end=1` after its last call;
    `?order=` another order an app registered."""
    other_order = extensions.queue_order_get(name=request.GET.get("order", ""))
    if other_order is not None:
        return other_order.render(request)
    user = _signed_in_user(request)
    try:
        part = browse.queue_part_require(user=user, raw=request.GET.get("part"))
        review_queue = browse.review_queue_get(user=user, part=part)
    except GetBillError as error:
        return getbill_error_response(request, error)
    request.session[QUEUE_SESSION_KEY] = review_queue.snapshot.as_session()
    context = {
        "queue": review_queue,
        "queue_end": request.GET.get("end") == "1",
        "queue_orders": extensions.queue_orders(),
    }
    return page_render(request, "followups/queue.html", context)


@require_GET
def queue_next(request: HtmxHttpRequest) -> HttpResponse:
    """ "Next in queue": the followup after `?after=` in the reviewer's queue."""
    user = _signed_in_user(request)
    try:
        after_id = access.getbill_id_require(
            user=user, action=AuditAction.REVIEW_QUEUE, raw=request.GET.get("after", "")
        )
        snapshot = browse.QueueSnapshot.from_session(request.session.get(QUEUE_SESSION_KEY))
        following, snapshot = browse.queue_next_find(
            user=user, after_id=after_id, snapshot=snapshot
        )
    except GetBillError as error:
        return getbill_error_response(request, error)
    if snapshot is not None:
        request.session[QUEUE_SESSION_KEY] = snapshot.as_session()
    if following is not None:
        url = reverse("followups:detail", kwargs={"followup_id": following})
        return HttpResponseRedirect(f"{url}?{urlencode({'from': browse.FROM_QUEUE})}")
    if snapshot is not None and snapshot.has_older:
        return HttpResponseRedirect(browse.queue_url(part=snapshot.part + 1))
    return HttpResponseRedirect(f"{reverse('followups:queue')}?end=1")


def _signed_in_user(request: HttpRequest) -> AbstractBaseUser:
    # LoginRequiredMiddleware guarantees it; this tells the type checker and fails closed.
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def _detail_response(
    request: HtmxHttpRequest, followup_id: GetBillId, *, refresh: bool = False
) -> HttpResponse:
    user = _signed_in_user(request)
    try:
        answer = services.followup_lookup(user=user, followup_id=followup_id, refresh=refresh)
    except GetBillError as error:
        return getbill_error_response(request, error, query=followup_id)
    followup = answer.value
    detail = presentation.followup_detail(followup=followup)
    card = debt_card.followup_debt_card_get(user=user, followup=followup)
    queue_next_url = None
    if request.GET.get("from") == browse.FROM_QUEUE:
        queue_next_url = f"{reverse('followups:queue_next')}?{urlencode({'after': followup.id})}"
    context = {
        "detail": detail,
        "followup": followup,
        "answer": presentation.answer_note(answer=answer, refresh=refresh),
        "card": card,
        "queue_next_url": queue_next_url,
        "panels_main": extensions.detail_panels_render(
            request=request, followup=followup, column="main"
        ),
        "panels_side": extensions.detail_panels_render(
            request=request, followup=followup, column="side"
        ),
        "page_title": presentation.followup_page_title(
            detail=detail, debtor=card.debtor_shown if card else None
        ),
    }
    return page_render(request, "followups/detail.html", context)


def _followup_id_require(request: HtmxHttpRequest, followup_id: str) -> GetBillId:
    return access.getbill_id_require(
        user=_signed_in_user(request), action=AuditAction.LOOKUP, raw=followup_id
    )


@require_GET
@vary_on_htmx
def detail(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    try:
        clean_id = _followup_id_require(request, followup_id)
    except InvalidIdError as error:
        return getbill_error_response(request, error, query=followup_id)
    return _detail_response(request, clean_id)


@require_POST
@vary_on_htmx
def followup_refresh(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The "Refresh from GetBill" button: the followup asked of GetBill again on purpose, not
    read from the shared cache (unless the company's quota is under the reserve, which the
    page then says).

    htmx swaps the refreshed page in and keeps the followup's own address; without JavaScript
    the refresh is done here and the browser is sent to that address, which shows it.
    """
    try:
        clean_id = _followup_id_require(request, followup_id)
    except InvalidIdError as error:
        return getbill_error_response(request, error, query=followup_id)
    url = reverse("followups:detail", kwargs={"followup_id": clean_id})
    if _swaps(request, MAIN_TARGET):
        return push_url(_detail_response(request, clean_id, refresh=True), url)
    try:
        services.followup_lookup(user=_signed_in_user(request), followup_id=clean_id, refresh=True)
    except GetBillError as error:
        return getbill_error_response(request, error, query=clean_id)
    return HttpResponseRedirect(url, status=303)


# The debt page's filter form swaps its results region alone.
DEBT_RESULTS_TARGET = "debt-results"
DEBT_DENIED_MESSAGE = "You do not have permission to see this debt's followups."


@require_GET
@vary_on_htmx
def debt_followups(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """Every followup of a debt with totals; `?type=` and `?status=` filter the list and
    `?current=` marks the followup the reviewer came from."""
    try:
        clean_id = access.getbill_id_require(
            user=_signed_in_user(request),
            action=AuditAction.DEBT_LOOKUP,
            raw=debt_id,
            subject="debt",
        )
    except GetBillError as error:
        return getbill_error_response(request, error)
    return _debt_response(request, clean_id)


def _debt_response(request: HtmxHttpRequest, debt_id: GetBillId) -> HttpResponse:
    user = _signed_in_user(request)
    try:
        answer = debts.debt_timeline_get(user=user, debt_id=debt_id)
    except GetBillError as error:
        return getbill_error_response(request, error)
    timeline = answer.value
    view = debts.debt_timeline_filter(
        timeline=timeline,
        followup_type=request.GET.get("type", ""),
        status=request.GET.get("status", ""),
        current_id=request.GET.get("current", ""),
    )
    context: dict[str, Any] = {
        "timeline": timeline,
        "answer": presentation.answer_note(answer=answer),
        "view": view,
        "months": debts.debt_timeline_months(entries=view.entries),
        "page_url": reverse("followups:debt_followups", kwargs={"debt_id": timeline.debt_id}),
    }
    if _swaps(request, DEBT_RESULTS_TARGET):
        return render(request, "followups/_debt_results.html", {**context, "fragment": True})
    # The card only on the whole page: filtering the list in place asks GetBill for nothing new.
    card = debt_card.debt_card_get(user=user, debt_id=debt_id)
    context["card"] = card
    context["page_title"] = debt_card.debt_page_title(card=card)
    return page_render(request, "followups/debt_followups.html", context)


# "Show the debt" swaps the card's section alone.
DEBT_CARD_TARGET = "debt-card"


@require_GET
@vary_on_htmx
def debt_card_show(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """The debt card, asked for on purpose ("Show the debt" on a QA reviewer's detail page).

    htmx swaps the card in place: a failure is in the card, answered with 200 and the error's
    own status in `data-error-status`, as the side panel does (htmx swaps only successful
    answers). Opened without htmx (the control's href), a small page of the card alone, with
    the error's status when it failed.
    """
    user = _signed_in_user(request)
    try:
        clean_id = access.getbill_id_require(
            user=user, action=AuditAction.DEBT_DETAIL, raw=debt_id, subject="debt"
        )
    except GetBillError as error:
        return getbill_error_response(request, error)
    card = debt_card.debt_card_get(user=user, debt_id=clean_id)
    if _swaps(request, DEBT_CARD_TARGET):
        return render(request, "followups/_debt_card.html", {"card": card, "swapped": True})
    context = {
        "card": card,
        "debt_url": reverse("followups:debt_followups", kwargs={"debt_id": clean_id}),
        "page_title": debt_card.debt_page_title(card=card),
    }
    status = card.error.status_code if card.error is not None else 200
    response = page_render(request, "followups/debt_card.html", context, status=status)
    if card.error is not None:
        _retry_after_set(response, card.error)
    return response


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
        answer = debts.debt_timeline_get(
            user=_signed_in_user(request), debt_id=clean_id, panel=True
        )
    except GetBillError as error:
        context["error"] = getbill_error_context(error)
    except PermissionDenied:
        context["error"] = {"status": 403, "title": "Access denied", "message": DEBT_DENIED_MESSAGE}
    else:
        context["timeline"] = answer.value
        context["answer"] = presentation.answer_note(answer=answer)
        context["window"] = debts.debt_timeline_window(timeline=answer.value, current_id=current)
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


@never_cache
@require_GET
def followup_document(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The followup's letter: a redirect to a freshly signed PDF link (audited), or the error
    page. The page links here rather than to GetBill's link, which expires with the page."""
    user = _signed_in_user(request)
    try:
        clean_id = access.getbill_id_require(
            user=user, action=AuditAction.DOCUMENT_OPEN, raw=followup_id
        )
        url = services.followup_document_link(user=user, followup_id=clean_id)
    except GetBillError as error:
        return getbill_error_response(request, error, query=followup_id)
    return HttpResponseRedirect(url)


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


@never_cache
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """The player's word that a recording is playing: listening is activity, so the session is
    saved with a new expiry. A session that has ended never gets here: the sign-in redirect
    tells the player."""
    request.session.modified = True
    return HttpResponse(status=204)
