"""Thin views of QA reviews. Without JavaScript every form posts and redirects; with htmx a
panel of the page is swapped, so the recording keeps playing. A refused action raises; the
error boundary answers it with the panel that asked (the renderers below) or the error page."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from reviews import forms, panels, services
from reviews.host import (
    AppError,
    AuditAction,
    csv_response,
    errors_rendered_by,
    getbill_id_require,
    swaps,
    vary_on_htmx,
)

# htmx targets of the panels; a request for one of them gets the panel alone.
COMMENTS_TARGET = "comments"
REVIEW_TARGET = "review-panel"


def _user(request: HttpRequest) -> AbstractBaseUser:
    # LoginRequiredMiddleware guarantees a signed-in user; this fails closed all the same.
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def _followup_id_of(request: HttpRequest) -> str:
    match = request.resolver_match
    return str(match.kwargs.get("followup_id", "")) if match else ""


def _detail_url(followup_id: str, *, fragment: str = "", at: int | None = None) -> str:
    url = reverse("followups:detail", kwargs={"followup_id": followup_id})
    if at:
        url += "?" + urlencode({"t": at})
    return url + (f"#{fragment}" if fragment else "")


# --- Comments --------------------------------------------------------------------------------


def _comments_panel(
    request: HttpRequest,
    followup_id: str,
    *,
    recording_end: str,
    error: AppError | None = None,
    data: services.CommentInput | None = None,
) -> HttpResponse:
    """The comments panel alone, for htmx; `recording_end` is the token the page signed, kept
    so that the next comment is checked against the recording's end too."""
    context = panels.comments_context(
        user=_user(request),
        followup_id=followup_id,
        recording_end=recording_end,
        error=error.message if error else "",
        data=data,
    )
    status = error.status_code if error else 200
    return render(
        request, "reviews/_panels.html#comments", {"comments_panel": context}, status=status
    )


def _comment_form_page(
    request: HttpRequest,
    followup_id: str,
    *,
    error: AppError | None = None,
    data: services.CommentInput | None = None,
    comment_id: int | None = None,
) -> HttpResponse:
    """The comment form: on a page of its own for editing without JavaScript and for a refused
    comment posted without it (the followup's page cannot come back without asking GetBill),
    or in place of the comment being edited, for htmx."""
    action = (
        reverse(
            "reviews:comment_edit", kwargs={"followup_id": followup_id, "comment_id": comment_id}
        )
        if comment_id is not None
        else reverse("reviews:comments", kwargs={"followup_id": followup_id})
    )
    inline = comment_id is not None and swaps(request, f"comment-{comment_id}")
    return render(
        request,
        "reviews/_comment_edit.html" if inline else "reviews/comment_form.html",
        {
            "comment_id": comment_id,
            "followup_id": followup_id,
            "editing": comment_id is not None,
            "form_action": action,
            "data": data,
            "error": error.message if error else "",
            "detail_url": _detail_url(followup_id, fragment=COMMENTS_TARGET),
        },
        status=error.status_code if error else 200,
    )


def _comment_refused(request: HttpRequest, error: AppError) -> HttpResponse | None:
    """A refused comment: the panel (or the comment being edited) that asked, with the message
    and what was typed; without htmx, refused input on the comment form's page. Anything else
    is the error page."""
    followup_id = _followup_id_of(request)
    match = request.resolver_match
    comment_id = match.kwargs.get("comment_id") if match else None
    posted = forms.CommentForm(request.POST).comment_input() if request.method == "POST" else None
    if swaps(request, COMMENTS_TARGET) and services.may_see_reviews(user=_user(request)):
        recording_end = (posted or forms.CommentForm(request.GET).comment_input()).recording_end
        return _comments_panel(
            request, followup_id, recording_end=recording_end, error=error, data=posted
        )
    inline = comment_id is not None and swaps(request, f"comment-{comment_id}")
    refused_input = isinstance(error, services.ReviewError) and error.status_code == 400
    if posted is not None and (inline or refused_input):
        return _comment_form_page(
            request, followup_id, error=error, data=posted, comment_id=comment_id
        )
    return None


@require_http_methods(["GET", "POST"])
@vary_on_htmx
@errors_rendered_by(_comment_refused)
def comments(request: HttpRequest, followup_id: str) -> HttpResponse:
    """GET: the comments panel (htmx), or the followup's page. POST: a new comment at `at`
    (seconds or m:ss), optionally until `end`, with `text`."""
    user = _user(request)
    if request.method == "GET":
        if not swaps(request, COMMENTS_TARGET):
            return HttpResponseRedirect(_detail_url(followup_id, fragment=COMMENTS_TARGET))
        if not services.may_see_reviews(user=user):
            raise PermissionDenied
        data = forms.CommentForm(request.GET).comment_input()
        return _comments_panel(request, followup_id, recording_end=data.recording_end)
    data = forms.CommentForm(request.POST).comment_input()
    comment = services.comment_add(user=user, followup_id=followup_id, data=data)
    if swaps(request, COMMENTS_TARGET):
        return _comments_panel(request, followup_id, recording_end=data.recording_end)
    return HttpResponseRedirect(
        _detail_url(followup_id, fragment=f"comment-{comment.pk}", at=comment.at_seconds)
    )


@require_http_methods(["GET", "POST"])
@vary_on_htmx
@errors_rendered_by(_comment_refused)
def comment_edit(request: HttpRequest, followup_id: str, comment_id: int) -> HttpResponse:
    """The author's own comment: GET its form (in its place with htmx), POST its new moment
    and text; with htmx a saved edit answers the whole panel."""
    user = _user(request)
    if request.method == "GET":
        comment = services.comment_own_get(
            user=user,
            followup_id=followup_id,
            comment_id=comment_id,
            action=AuditAction.COMMENT_EDIT,
        )
        data = dataclasses.replace(
            panels.comment_input_of(comment),
            recording_end=forms.CommentForm(request.GET).comment_input().recording_end,
        )
        return _comment_form_page(request, followup_id, comment_id=comment_id, data=data)
    data = forms.CommentForm(request.POST).comment_input()
    comment = services.comment_edit(
        user=user, followup_id=followup_id, comment_id=comment_id, data=data
    )
    if getattr(request, "htmx", None):
        panel = _comments_panel(request, followup_id, recording_end=data.recording_end)
        return retarget(panel, f"#{COMMENTS_TARGET}")
    return HttpResponseRedirect(
        _detail_url(followup_id, fragment=f"comment-{comment.pk}", at=comment.at_seconds)
    )


@require_POST
@vary_on_htmx
@errors_rendered_by(_comment_refused)
def comment_delete(request: HttpRequest, followup_id: str, comment_id: int) -> HttpResponse:
    services.comment_delete(user=_user(request), followup_id=followup_id, comment_id=comment_id)
    if swaps(request, COMMENTS_TARGET):
        data = forms.CommentForm(request.POST).comment_input()
        return _comments_panel(request, followup_id, recording_end=data.recording_end)
    return HttpResponseRedirect(_detail_url(followup_id, fragment=COMMENTS_TARGET))


# --- A followup's review ---------------------------------------------------------------------


def _review_response(
    request: HttpRequest,
    followup_id: str,
    *,
    error: AppError | None = None,
    posted: services.ReviewInput | None = None,
) -> HttpResponse:
    context = panels.review_context(
        user=_user(request),
        followup_id=followup_id,
        chosen=request.GET.get("scorecard", ""),
        error=error.message if error else "",
        posted=posted,
    )
    template = (
        "reviews/_panels.html#review" if swaps(request, REVIEW_TARGET) else "reviews/review.html"
    )
    return render(
        request,
        template,
        {"review_panel": context, "detail_url": _detail_url(followup_id)},
        status=error.status_code if error else 200,
    )


def _review_refused(request: HttpRequest, error: AppError) -> HttpResponse | None:
    """A refused review: the review (panel or page) with the message and the answers given;
    a denial, or a followup ID that is not one, is the error page."""
    if (
        request.method != "POST"
        or error.status_code == 403
        or not services.may_review(user=_user(request))
    ):
        return None
    posted = forms.ReviewForm(request.POST).posted()
    return _review_response(request, _followup_id_of(request), error=error, posted=posted)


@require_http_methods(["GET", "POST"])
@vary_on_htmx
@errors_rendered_by(_review_refused)
def review(request: HttpRequest, followup_id: str) -> HttpResponse:
    """The user's review of a followup: GET shows it (`?scorecard=` picks the scorecard of a new
    one), POST saves the draft, or submits it with `action=submit`."""
    user = _user(request)
    if request.method == "GET":
        getbill_id_require(user=user, action=AuditAction.REVIEW_SAVE, raw=followup_id)
        if not services.may_review(user=user):
            raise PermissionDenied
        return _review_response(request, followup_id)
    posted = forms.ReviewForm(request.POST).review_input()
    services.review_save(user=user, followup_id=followup_id, data=posted)
    if swaps(request, REVIEW_TARGET):
        return _review_response(request, followup_id)
    return HttpResponseRedirect(reverse("reviews:review", kwargs={"followup_id": followup_id}))


# --- All reviews -----------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[forms.ReviewFilterForm, Any]:
    user = _user(request)
    if not services.may_see_reviews(user=user):
        raise PermissionDenied
    reviewers = (
        get_user_model()
        .objects.filter(pk__in=services.reviews_visible(user=user).values("reviewer_id"))
        .order_by("username")
    )
    form = forms.ReviewFilterForm(request.GET or None, reviewers=reviewers)
    if request.GET and not form.is_valid():
        return form, None
    filters = form.filters() if request.GET else services.ReviewFilters()
    return form, services.reviews_filter(user=user, filters=filters)


@require_GET
@vary_on_htmx
def review_list(request: HttpRequest) -> HttpResponse:
    """Reviews the user may see, filtered, with counts per reviewer and verdict."""
    form, reviews = _filtered(request)
    if reviews is None:
        return render(request, "reviews/list.html", {"form": form}, status=400)
    return render(
        request,
        "reviews/list.html",
        {
            "form": form,
            "reviews": reviews[: panels.LIST_LIMIT],
            "total": reviews.count(),
            "list_limit": panels.LIST_LIMIT,
            "counts": services.review_counts(reviews=reviews),
            "verdicts": services.Verdict.choices,
            "export_url": reverse("reviews:export")
            + ("?" + request.GET.urlencode() if request.GET else ""),
            "sees_all": services.may_see_all(user=_user(request)),
        },
    )


@require_GET
def review_export(request: HttpRequest) -> HttpResponseBase:
    """The current selection of the list as CSV, safe against spreadsheet formulas."""
    form, reviews = _filtered(request)
    if reviews is None:
        return render(request, "reviews/list.html", {"form": form}, status=400)
    lines = services.reviews_export(user=_user(request), reviews=reviews)
    return csv_response(lines=lines, filename="reviews.csv")


@require_GET
@vary_on_htmx
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    """One review, read-only, for its reviewer and for those who see everyone's."""
    user = _user(request)
    found = services.review_visible_get(user=user, review_id=review_id)
    return render(
        request,
        "reviews/review_detail.html",
        {
            **panels.review_display(review=found),
            "may_reopen": services.user_may(user=user, permissions=[services.PERM_REOPEN]),
            "detail_url": _detail_url(found.followup_id),
        },
    )


@require_POST
def review_reopen(request: HttpRequest, review_id: int) -> HttpResponse:
    services.review_reopen(user=_user(request), review_id=review_id)
    return HttpResponseRedirect(reverse("reviews:detail", kwargs={"review_id": review_id}))
