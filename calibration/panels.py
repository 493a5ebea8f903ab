"""What calibration adds to other apps' pages: its form on a followup's page (next to the
recording) for the session's reviewers, the pending sessions above the review queue, and the
distance from references in the insights' per-reviewer table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string

from calibration import services
from calibration.models import CalibrationSession
from followups.getbill import Followup
from reviews.models import AnswerValue
from reviews.panels import CriterionRow


def criterion_rows(
    *, session: CalibrationSession, answers: Mapping[int, str]
) -> list[CriterionRow]:
    """The session's scorecard as the review form shows it, with `answers` ticked. No tracker
    evidence: calibration measures the reviewers' own judgement."""
    return [
        CriterionRow(criterion=criterion, value=answers.get(criterion.pk, ""))
        for criterion in session.scorecard.criteria.all()
    ]


def review_form_context(
    *,
    session: CalibrationSession,
    followup_id: str,
    answers: Mapping[int, str] | None = None,
    comment: str = "",
    error: str = "",
) -> dict[str, Any]:
    return {
        "session": session,
        "followup_id": followup_id,
        "rows": criterion_rows(session=session, answers=answers or {}),
        "answer_choices": AnswerValue.choices,
        "comment": comment,
        "error": error,
    }


def detail_panel_html(request: HttpRequest, followup: Followup) -> str:
    """The calibration form(s) of the followup for a reviewer with it pending in an open
    session; "" for anyone else."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        return ""
    pending = services.calls_pending(user=user, followup_id=followup.id)
    if not pending:
        return ""
    forms = [
        review_form_context(session=call.session, followup_id=call.followup_id) for call in pending
    ]
    return render_to_string("calibration/_detail_panel.html", {"forms": forms}, request=request)


def queue_region_html(request: HttpRequest) -> str:
    """The reviewer's open sessions with calls left to answer, above the review queue."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        return ""
    pending = services.calls_pending(user=user)
    if not pending:
        return ""
    sessions: dict[int, tuple[CalibrationSession, int]] = {}
    for call in pending:
        _, count = sessions.get(call.session.pk, (call.session, 0))
        sessions[call.session.pk] = (call.session, count + 1)
    return render_to_string(
        "calibration/_queue_region.html", {"pending": list(sessions.values())}, request=request
    )


def reference_distance_cells(user: AbstractBaseUser, usernames: Sequence[str]) -> dict[str, str]:
    """The insights' cell per reviewer: the share of answers differing from the references
    across closed sessions, or "no calibration yet"."""
    distances = services.reference_distances(user=user, usernames=usernames)
    return {
        name: (
            f"{distances[name].share:g} % of {distances[name].compared} answers differ"
            if name in distances
            else "no calibration yet"
        )
        for name in usernames
    }


def reference_distance_figures(user: AbstractBaseUser, usernames: Sequence[str]) -> dict[str, str]:
    """The insights' CSV cell per reviewer: the same share as a plain figure, empty for a
    reviewer with no calibration yet."""
    distances = services.reference_distances(user=user, usernames=usernames)
    return {name: f"{distances[name].share:g}" for name in usernames if name in distances}
