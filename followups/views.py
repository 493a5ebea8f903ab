from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from followups import access, browse, debt_card, debts, extensions, forms, presentation, services
from followups.audit import audit_entries_together
from followups.error_boundary import error_context, errors_rendered_by
from followups.errors import AppError
from followups.getbill import GetBillId, IdRefusedError, InvalidIdError, id_is_valid
from followups.htmx import MAIN_TARGET, HtmxHttpRequest, page_render, swaps, vary_on_htmx
from followups.models import AuditAction


def _search_page(
    request: HttpRequest, *, query: str = "", error: str = "", status: int = 200
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


def _list_page(
    request: HttpRequest, listing: browse.FollowupsListing, *, error: AppError | None = None
) -> HttpResponse:
    status = error.status_code if error is not None else 200
    user = access.signed_in_user(request)
    context = {
        "listing": listing,
        "error": error,
        # Apps' regions (the calls that came in since the page was opened) and what can be
        # done with ticked rows; none around refused input.
        "list_regions": extensions.list_regions_render(request=request, filters=listing.filters)
        if error is None
        else [],
        "list_actions": extensions.list_actions_for(user=user) if error is None else [],
    }
    if swaps(request, LIST_RESULTS_TARGET):
        return render(request, "followups/list.html#results", context, status=status)
    return page_render(request, "followups/list.html", context, status=status)


def _lookup_refused(request: HttpRequest, error: AppError) -> HttpResponse | None:
    """Text that holds no followup ID: the search page again, with the message; a filter the
    list does not offer: the list with the message and its filters reset (GetBill was not
    asked either way)."""
    if isinstance(error, browse.ListInputError):
        return _list_page(request, browse.FollowupsListing.empty(), error=error)
    if isinstance(error, InvalidIdError) and not isinstance(error, IdRefusedError):
        query = forms.LookupForm(request.GET).query()
        return _search_page(request, query=query, error=error.user_message, status=400)
    return None


@require_GET
@vary_on_htmx
@errors_rendered_by(_lookup_refused)
def search(request: HtmxHttpRequest) -> HttpResponse:
    # The search box of older pages and bookmarks sent `/?q=`: same behaviour as the lookup.
    if "q" in request.GET:
        return lookup(request)
    return _search_page(request)


@require_GET
@vary_on_htmx
@errors_rendered_by(_lookup_refused)
def lookup(request: HtmxHttpRequest) -> HttpResponse:
    """`?q=<ID, link or text>` -> the followup's permanent page (a debt's for a pasted debt
    link); without `q`, the list of followups."""
    if "q" not in request.GET:
        return _list_response(request)
    query = forms.LookupForm(request.GET).query()
    if services.text_is_words(text=query):
        # Words rather than an ID: searched where an app offers it (its page also offers to
        # open a followup of that ID, in case it was one).
        words_url = extensions.words_search_url(user=access.signed_in_user(request), text=query)
        if words_url is not None:
            if request.htmx:
                return HttpResponseClientRedirect(words_url)
            return HttpResponseRedirect(words_url)
    debt_id = services.debt_id_from_link(text=query)
    if debt_id is not None:
        url = reverse("followups:debt_followups", kwargs={"debt_id": debt_id})
        if swaps(request, MAIN_TARGET):
            return push_url(_debt_response(request, debt_id), url)
        return HttpResponseRedirect(url)
    followup_id = services.followup_id_from_input(user=access.signed_in_user(request), text=query)
    url = reverse("followups:detail", kwargs={"followup_id": followup_id})
    if swaps(request, MAIN_TARGET):
        # One round trip: render the followup here and move the address bar to its own URL.
        return push_url(_detail_response(request, followup_id), url)
    return HttpResponseRedirect(url)


# The list's filter form and page links swap its results region alone.
LIST_RESULTS_TARGET = "followups-results"


def _list_response(request: HtmxHttpRequest) -> HttpResponse:
    """A page of the followups list, filtered by `?type=` and `?status=`, page `?page=`."""
    user = access.signed_in_user(request)
    filters = browse.list_filters_require(user=user, query=request.GET)
    listing = browse.followups_browse(user=user, filters=filters)
    response = _list_page(request, listing)
    if swaps(request, LIST_RESULTS_TARGET):
        # The address bar gets the list's own address, without the form's empty fields.
        return push_url(response, filters.url())
    return response


QUEUE_SESSION_KEY = "review_queue"


@require_GET
@vary_on_htmx
def queue(request: HtmxHttpRequest) -> HttpResponse:
    """The reviewer's queue, part `?part=` (newest first); `?end=1` after its last call;
    `?order=` another order an app registered."""
    other_order = extensions.queue_order_get(name=request.GET.get("order", ""))
    if other_order is not None:
        return other_order.render(request)
    user = access.signed_in_user(request)
    part = browse.queue_part_require(user=user, query=request.GET)
    review_queue = browse.review_queue_get(user=user, part=part)
    request.session[QUEUE_SESSION_KEY] = review_queue.snapshot.as_session()
    context = {
        "queue": review_queue,
        "queue_end": request.GET.get("end") == "1",
        "queue_orders": extensions.queue_orders(),
        "queue_regions": extensions.queue_regions_render(request=request) if part == 1 else [],
    }
    return page_render(request, "followups/queue.html", context)


@require_GET
def queue_next(request: HtmxHttpRequest) -> HttpResponse:
    """ "Next in queue": the followup after `?after=` in the reviewer's queue."""
    user = access.signed_in_user(request)
    after_id = access.getbill_id_require(
        user=user, action=AuditAction.REVIEW_QUEUE, raw=request.GET.get("after", "")
    )
    snapshot = browse.QueueSnapshot.from_session(request.session.get(QUEUE_SESSION_KEY))
    following, snapshot = browse.queue_next_find(user=user, after_id=after_id, snapshot=snapshot)
    if snapshot is not None:
        request.session[QUEUE_SESSION_KEY] = snapshot.as_session()
    if following is not None:
        url = reverse("followups:detail", kwargs={"followup_id": following})
        return HttpResponseRedirect(f"{url}?{urlencode({'from': browse.FROM_QUEUE})}")
    if snapshot is not None and snapshot.has_older:
        return HttpResponseRedirect(browse.queue_url(part=snapshot.part + 1))
    return HttpResponseRedirect(f"{reverse('followups:queue')}?end=1")


def _detail_response(
    request: HtmxHttpRequest, followup_id: GetBillId, *, refresh: bool = False
) -> HttpResponse:
    user = access.signed_in_user(request)
    # The look and the debt card shown with it: their audit entries in one write.
    with audit_entries_together():
        answer = services.followup_lookup(user=user, followup_id=followup_id, refresh=refresh)
        card = debt_card.followup_debt_card_get(user=user, followup=answer.value)
    followup = answer.value
    detail = presentation.followup_detail(followup=followup)
    queue_next_url = None
    if request.GET.get("from") == browse.FROM_QUEUE:
        queue_next_url = f"{reverse('followups:queue_next')}?{urlencode({'after': followup.id})}"
    context = {
        "detail": detail,
        "followup": followup,
        "answer": presentation.answer_note(answer=answer, refresh=refresh),
        "card": card,
        "queue_next_url": queue_next_url,
        "panels_url": reverse("followups:panels", kwargs={"followup_id": followup.id}),
        "page_title": presentation.followup_page_title(
            detail=detail, debtor=card.debtor_shown if card else None
        ),
    }
    return page_render(request, "followups/detail.html", context)


def _followup_id_require(request: HtmxHttpRequest, followup_id: str) -> GetBillId:
    return access.getbill_id_require(
        user=access.signed_in_user(request), action=AuditAction.LOOKUP, raw=followup_id
    )


@require_GET
@vary_on_htmx
def detail(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    return _detail_response(request, _followup_id_require(request, followup_id))


# The region of a followup's page that its panels replace once loaded.
PANELS_TARGET = "followup-panels"


@require_GET
@vary_on_htmx
def followup_panels(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """A followup's panels (transcript, trackers, comments, review...), which the apps fill
    from the dashboard's own records: loaded right after the page, so that the page itself
    shows GetBill's answer at once.

    htmx swaps them into the page's region (the side column's panels and the seek bar's layers
    out of band); opened without htmx (the region's link), a page of the panels alone.
    """
    user = access.signed_in_user(request)
    followup = services.followup_panels_lookup(
        user=user, followup_id=_followup_id_require(request, followup_id)
    )
    context: dict[str, Any] = {
        "followup": followup,
        "panels_main": extensions.detail_panels_render(
            request=request, followup=followup, column="main"
        ),
        "panels_side": extensions.detail_panels_render(
            request=request, followup=followup, column="side"
        ),
    }
    if swaps(request, PANELS_TARGET):
        seek_bar = presentation.followup_detail(followup=followup).recording_playable
        return render(request, "followups/_panels.html", {**context, "seek_bar": seek_bar})
    context["detail_url"] = reverse("followups:detail", kwargs={"followup_id": followup.id})
    context["page_title"] = f"Transcript, trackers and reviews of {followup.id}"
    return page_render(request, "followups/panels.html", context)


@require_POST
@vary_on_htmx
def followup_refresh(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The "Refresh from GetBill" button: the followup asked of GetBill again on purpose, not
    read from the shared cache (unless the company's quota is under the reserve, which the
    page then says).

    htmx swaps the refreshed page in and keeps the followup's own address; without JavaScript
    the refresh is done here and the browser is sent to that address, which shows it.
    """
    clean_id = _followup_id_require(request, followup_id)
    url = reverse("followups:detail", kwargs={"followup_id": clean_id})
    if swaps(request, MAIN_TARGET):
        return push_url(_detail_response(request, clean_id, refresh=True), url)
    services.followup_lookup(
        user=access.signed_in_user(request), followup_id=clean_id, refresh=True
    )
    return HttpResponseRedirect(url, status=303)


# The debt page's filter form swaps its results region alone.
DEBT_RESULTS_TARGET = "debt-results"


@require_GET
@vary_on_htmx
def debt_followups(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """Every followup of a debt with totals; `?type=` and `?status=` filter the list and
    `?current=` marks the followup the reviewer came from."""
    clean_id = access.getbill_id_require(
        user=access.signed_in_user(request),
        action=AuditAction.DEBT_LOOKUP,
        raw=debt_id,
        subject="debt",
    )
    return _debt_response(request, clean_id)


def _debt_response(request: HtmxHttpRequest, debt_id: GetBillId) -> HttpResponse:
    user = access.signed_in_user(request)
    answer = debts.debt_timeline_get(user=user, debt_id=debt_id)
    timeline = answer.value
    chosen = forms.DebtFiltersForm(request.GET).values()
    view = debts.debt_timeline_filter(
        timeline=timeline,
        followup_type=chosen["type"],
        status=chosen["status"],
        current_id=chosen["current"],
    )
    context: dict[str, Any] = {
        "timeline": timeline,
        "answer": presentation.answer_note(answer=answer),
        "view": view,
        "months": debts.debt_timeline_months(entries=view.entries),
        "page_url": reverse("followups:debt_followups", kwargs={"debt_id": timeline.debt_id}),
    }
    if swaps(request, DEBT_RESULTS_TARGET):
        return render(
            request, "followups/debt_followups.html#results", {**context, "fragment": True}
        )
    # The card only on the whole page: filtering the list in place asks GetBill for nothing new.
    card = debt_card.debt_card_get(user=user, debt_id=debt_id)
    context["card"] = card
    context["page_title"] = debt_card.debt_page_title(card=card)
    return page_render(request, "followups/debt_followups.html", context)


# The card loaded after the detail page swaps the card's section alone.
DEBT_CARD_TARGET = "debt-card"


@require_GET
@vary_on_htmx
def debt_card_show(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """The debt card, loaded after a detail page that had no fresh copy of it (at once for a
    collections manager, by "Show the debt" for a QA reviewer).

    htmx swaps the card in place; opened without htmx (the control's href), a small page of
    the card alone. Either way a failure is in the card, answered with the error's status.
    """
    user = access.signed_in_user(request)
    clean_id = access.getbill_id_require(
        user=user, action=AuditAction.DEBT_DETAIL, raw=debt_id, subject="debt"
    )
    card = debt_card.debt_card_get(user=user, debt_id=clean_id)
    status = card.error.status_code if card.error is not None else 200
    if swaps(request, DEBT_CARD_TARGET):
        response = render(
            request, "followups/_debt_card.html", {"card": card, "swapped": True}, status=status
        )
    else:
        context = {
            "card": card,
            "debt_url": reverse("followups:debt_followups", kwargs={"debt_id": clean_id}),
            "page_title": debt_card.debt_page_title(card=card),
        }
        response = page_render(request, "followups/debt_card.html", context, status=status)
    if card.error is not None and card.error.retry_after_seconds is not None:
        response["Retry-After"] = str(card.error.retry_after_seconds)
    return response


def _debt_side_error(request: HttpRequest, error: AppError) -> HttpResponse:
    """The side panel with the error in it, answered with the error's status."""
    debt_id = str(request.resolver_match.kwargs["debt_id"]) if request.resolver_match else ""
    context: dict[str, Any] = {"error": error_context(error)}
    if id_is_valid(debt_id):
        context["links"] = debts.debt_links(
            debt_id=GetBillId(debt_id), current_id=request.GET.get("current", "")
        )
    return render(request, "followups/_debt_side.html", context, status=error.status_code)


@require_GET
@vary_on_headers("HX-Request")
@errors_rendered_by(_debt_side_error)
def debt_timeline(request: HtmxHttpRequest, debt_id: str) -> HttpResponse:
    """The detail page's panel of the debt's followups around `?current=`, which htmx loads
    once the page is shown; a failure is in the panel, with its status (the page around the
    panel did not fail). Opened without htmx (a new tab), the address leads to the full debt
    page."""
    current = request.GET.get("current", "")
    if not request.htmx:
        url = reverse("followups:debt_followups", kwargs={"debt_id": debt_id})
        return redirect(f"{url}?{urlencode({'current': current})}" if current else url)
    clean_id = access.getbill_id_require(
        user=access.signed_in_user(request),
        action=AuditAction.DEBT_LOOKUP,
        raw=debt_id,
        subject="debt",
    )
    answer = debts.debt_timeline_get(
        user=access.signed_in_user(request), debt_id=clean_id, panel=True
    )
    context = {
        "links": debts.debt_links(debt_id=clean_id, current_id=current),
        "timeline": answer.value,
        "answer": presentation.answer_note(answer=answer),
        "window": debts.debt_timeline_window(timeline=answer.value, current_id=current),
    }
    return render(request, "followups/_debt_side.html", context)


def _recording_error(request: HttpRequest, error: AppError) -> HttpResponse:
    # The player reads the status and offers a reload; the text is for a person who looks.
    return HttpResponse(
        error.user_message, status=error.status_code, content_type="text/plain; charset=utf-8"
    )


@never_cache
@require_GET
@vary_on_headers("HX-Request")
@errors_rendered_by(_recording_error)
def followup_recording(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The recording fragment with a freshly signed link (the player itself loads the stable
    address, `followup_recording_audio`, instead).

    An htmx-style request only; a person who opens the address gets the page.
    """
    if not request.htmx:
        return HttpResponseRedirect(
            reverse("followups:detail", kwargs={"followup_id": followup_id}) + "#recording"
        )
    user = access.signed_in_user(request)
    clean_id = access.getbill_id_require(
        user=user, action=AuditAction.RECORDING_URL_REFRESH, raw=followup_id
    )
    followup = services.followup_recording_refresh(user=user, followup_id=clean_id)
    detail = presentation.followup_detail(followup=followup)
    # The signed link itself, where the page has the recording's stable address.
    context = {"detail": detail, "followup": followup, "recording_src": detail.recording.url}
    return render(request, "followups/_recording.html", context)


@never_cache
@require_GET
def followup_document(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The followup's letter: a redirect to a freshly signed PDF link (audited), or the error
    page. The page links here rather than to GetBill's link, which expires with the page."""
    user = access.signed_in_user(request)
    clean_id = access.getbill_id_require(
        user=user, action=AuditAction.DOCUMENT_OPEN, raw=followup_id
    )
    return HttpResponseRedirect(services.followup_document_link(user=user, followup_id=clean_id))


def _status_only(request: HttpRequest, error: AppError) -> HttpResponse:
    return HttpResponse(status=error.status_code)


@never_cache
@require_GET
def followup_recording_audio(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The recording's stable address: a redirect to a freshly signed link (audited), or the
    error page. The player's `<audio>` loads this, and loads it again when a link dies."""
    user = access.signed_in_user(request)
    clean_id = access.getbill_id_require(
        user=user, action=AuditAction.RECORDING_URL_REFRESH, raw=followup_id
    )
    return HttpResponseRedirect(services.followup_recording_link(user=user, followup_id=clean_id))


@require_POST
@errors_rendered_by(_status_only)
def recording_played(request: HttpRequest, followup_id: str) -> HttpResponse:
    """The player reports that playback started (navigator.sendBeacon, CSRF token in the form
    data), for the audit trail. Nobody reads the answer: a bare status, 204 when recorded."""
    user = access.signed_in_user(request)
    clean_id = access.getbill_id_require(
        user=user, action=AuditAction.RECORDING_PLAY, raw=followup_id
    )
    services.recording_play_record(user=user, followup_id=clean_id)
    return HttpResponse(status=204)


@never_cache
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """The player's word that a recording is playing: listening is activity, so the session is
    saved with a new expiry. A session that has ended never gets here: the sign-in redirect
    tells the player."""
    request.session.modified = True
    return HttpResponse(status=204)
