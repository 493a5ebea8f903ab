"""Thin views of calibration sessions. Refusals raise; the error boundary renders them (a
refused calibration review comes back on its form, with the answers given)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calibration import forms, panels, services
from calibration.errors import CalibrationError
from calibration.models import CalibrationSession
from reviews.errors import ReviewError
from reviews.forms import ReviewForm
from reviews.host import (
    AppError,
    AuditAction,
    csv_response,
    errors_rendered_by,
    getbill_id_require,
    signed_in_user,
)
from reviews.models import AnswerValue


def _session_form(request: HttpRequest) -> forms.SessionForm:
    return forms.SessionForm(
        request.POST if request.method == "POST" else None,
        scorecards=services.scorecards_offered(),
        reviewers=services.reviewers_eligible(),
    )


def _detail_url(session: CalibrationSession | int) -> str:
    session_id = session if isinstance(session, int) else session.pk
    return reverse("calibration:detail", kwargs={"session_id": session_id})


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions the user may see, and the calls they still have to answer."""
    user = signed_in_user(request)
    if not services.may_see_calibration(user=user):
        raise PermissionDenied
    return render(
        request,
        "calibration/list.html",
        {
            "sessions": services.sessions_visible(user=user)[:200],
            "pending": services.calls_pending(user=user),
            "may_run": services.may_run(user=user),
        },
    )


def _session_new_refused(request: HttpRequest, error: AppError) -> HttpResponse | None:
    if request.method != "POST" or error.status_code == 403:
        return None
    return render(
        request,
        "calibration/new.html",
        {"form": _session_form(request), "error": error.message},
        status=error.status_code,
    )


@require_http_methods(["GET", "POST"])
@errors_rendered_by(_session_new_refused)
def session_new(request: HttpRequest) -> HttpResponse:
    """GET: the form of a new session. POST: create it (one call, or a sample of the queue)."""
    user = signed_in_user(request)
    if not services.may_run(user=user):
        raise PermissionDenied
    form = _session_form(request)
    if request.method == "GET":
        return render(request, "calibration/new.html", {"form": form})
    session = services.calibration_session_create(user=user, data=form.session_input())
    return HttpResponseRedirect(_detail_url(session))


@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session's calls and progress (counts only until its results open); the user's own
    answers; the manager's buttons."""
    user = signed_in_user(request)
    session = services.session_visible_get(user=user, session_id=session_id)
    own = services.own_reviews(user=user, session=session)
    is_reviewer = services.may_review(user=user) and session.reviewers.filter(pk=user.pk).exists()
    return render(
        request,
        "calibration/detail.html",
        {
            "session": session,
            "calls": [(call, own.get(call.followup_id)) for call in session.calls.all()],
            "progress": services.session_progress(session=session),
            "is_reviewer": is_reviewer,
            "may_run": services.may_run(user=user),
        },
    )


@require_POST
def session_close(request: HttpRequest, session_id: int) -> HttpResponse:
    services.calibration_session_close(user=signed_in_user(request), session_id=session_id)
    return HttpResponseRedirect(reverse("calibration:results", kwargs={"session_id": session_id}))


def _review_page(
    request: HttpRequest,
    *,
    session: CalibrationSession,
    followup_id: str,
    error: AppError | None = None,
) -> HttpResponse:
    answers: dict[int, str] = {}
    comment = ""
    if error is not None:
        posted = ReviewForm(request.POST).posted()
        if posted is not None:
            answers, comment = dict(posted.answers), posted.summary
    return render(
        request,
        "calibration/review.html",
        {
            "form": panels.review_form_context(
                session=session,
                followup_id=followup_id,
                answers=answers,
                comment=comment,
                error=error.message if error else "",
            ),
            "own": services.own_reviews(user=signed_in_user(request), session=session).get(
                followup_id
            ),
        },
        status=error.status_code if error else 200,
    )


def _review_refused(request: HttpRequest, error: AppError) -> HttpResponse | None:
    """Refused answers come back on the form, as given; anything else (a denial, a session or
    call that is not there, an ID that is not one) is the error page."""
    refused_answers = isinstance(error, CalibrationError | ReviewError)
    if request.method != "POST" or not refused_answers or error.status_code not in (400, 409):
        return None
    match = request.resolver_match
    kwargs = match.kwargs if match else {}
    session_id = int(kwargs.get("session_id", 0))
    session = services.sessions_visible(user=signed_in_user(request)).filter(pk=session_id).first()
    if session is None:
        return None
    return _review_page(
        request, session=session, followup_id=str(kwargs.get("followup_id", "")), error=error
    )


@require_http_methods(["GET", "POST"])
@errors_rendered_by(_review_refused)
def calibration_review(request: HttpRequest, session_id: int, followup_id: str) -> HttpResponse:
    """GET: the calibration form of one call (the followup's own page shows it next to the
    recording). POST: submit the answers, read-only from then on."""
    user = signed_in_user(request)
    getbill_id_require(user=user, action=AuditAction.CALIBRATION_SUBMIT, raw=followup_id)
    session = services.session_visible_get(user=user, session_id=session_id)
    if request.method == "GET":
        return _review_page(request, session=session, followup_id=followup_id)
    answers, comment = forms.answers_posted(request.POST)
    services.calibration_review_submit(
        user=user, session_id=session.pk, followup_id=followup_id, answers=answers, comment=comment
    )
    return HttpResponseRedirect(_detail_url(session))


@require_http_methods(["GET", "POST"])
def reference(request: HttpRequest, session_id: int, followup_id: str) -> HttpResponse:
    """The manager's reference answers to one call: GET the form, POST save them."""
    user = signed_in_user(request)
    if not services.may_run(user=user):
        raise PermissionDenied
    session = services.session_visible_get(user=user, session_id=session_id)
    if request.method == "POST":
        answers, _comment = forms.answers_posted(request.POST)
        services.calibration_references_save(
            user=user, session_id=session.pk, followup_id=followup_id, answers=answers
        )
        return HttpResponseRedirect(_detail_url(session))
    followup_id = getbill_id_require(
        user=user, action=AuditAction.CALIBRATION_REFERENCE, raw=followup_id
    )
    return render(
        request,
        "calibration/reference.html",
        {
            "session": session,
            "followup_id": followup_id,
            "rows": panels.criterion_rows(
                session=session,
                answers=services.references_of(session=session, followup_id=followup_id),
            ),
            "answer_choices": AnswerValue.choices,
        },
    )


@require_GET
def results(request: HttpRequest, session_id: int) -> HttpResponse:
    """A closed session's results (audited)."""
    found = services.calibration_results_get(user=signed_in_user(request), session_id=session_id)
    return render(request, "calibration/results.html", {"results": found})


@require_GET
def results_export(request: HttpRequest, session_id: int) -> HttpResponseBase:
    """A closed session's answers as CSV (audited)."""
    lines = services.calibration_results_export(user=signed_in_user(request), session_id=session_id)
    return csv_response(lines=lines, filename=f"calibration-{session_id}.csv")
