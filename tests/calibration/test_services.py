"""Calibration sessions' use cases (calibration/services.py): who may do what, blindness until
the results open, records of their own that no regular figure counts, the audit trail."""

import pytest
from django.utils import timezone

from calibration import services
from calibration.errors import (
    CalibrationConflictError,
    CalibrationDeniedError,
    CalibrationError,
    CalibrationNotFoundError,
)
from calibration.forms import SessionInput
from calibration.models import CalibrationReview, SessionState
from followups.extensions import queue_excluded_ids
from followups.models import AuditAction, AuditEntry, AuditOutcome
from insights.forms import InsightsFilters, default_range
from insights.services import insights_figures
from reviews.errors import ReviewError
from reviews.services import reviews_visible
from tests.support.calibration import answers_of
from tests.support.reviews import CALL_ID, OTHER_ID


def _last_audit():
    return AuditEntry.objects.order_by("-id").first()


def _submit(user, session, *values, followup_id=CALL_ID, comment=""):
    return services.calibration_review_submit(
        user=user,
        session_id=session.pk,
        followup_id=followup_id,
        answers=answers_of(session.scorecard, *values),
        comment=comment,
    )


# --- Sessions --------------------------------------------------------------------------------


def test_a_manager_opens_a_session_on_a_call_for_reviewers_and_it_is_audited(
    session, manager_user, qa_user, second_qa_user
):
    assert session.state == SessionState.OPEN
    assert session.created_by == manager_user
    assert [call.followup_id for call in session.calls.all()] == [CALL_ID]
    assert set(session.reviewers.all()) == {qa_user, second_qa_user}
    entry = _last_audit()
    assert (entry.action, entry.outcome, entry.followup_id) == (
        AuditAction.CALIBRATION_CREATE,
        AuditOutcome.SHOWN,
        CALL_ID,
    )
    assert entry.detail == f"session {session.pk} (Calls (v1)): 1 calls, 2 reviewers"


def test_a_reviewer_may_not_open_a_session(qa_user, second_qa_user, scorecard):
    with pytest.raises(CalibrationDeniedError):
        services.calibration_session_create(
            user=qa_user,
            data=SessionInput(
                name="x",
                scorecard_id=scorecard.pk,
                reviewer_ids=(qa_user.pk, second_qa_user.pk),
                followup_id=CALL_ID,
            ),
        )
    assert (_last_audit().action, _last_audit().outcome) == (
        AuditAction.CALIBRATION_CREATE,
        AuditOutcome.DENIED,
    )


def test_only_users_who_review_may_be_picked(manager_user, qa_user, auditor_user, scorecard):
    with pytest.raises(CalibrationError, match="may not review"):
        services.calibration_session_create(
            user=manager_user,
            data=SessionInput(
                name="x",
                scorecard_id=scorecard.pk,
                reviewer_ids=(qa_user.pk, auditor_user.pk),
                followup_id=CALL_ID,
            ),
        )
    assert _last_audit().outcome == AuditOutcome.REJECTED_INPUT


def test_a_withdrawn_scorecard_is_a_conflict(manager_user, qa_user, second_qa_user, scorecard):
    scorecard.is_active = False
    scorecard.save()
    with pytest.raises(CalibrationConflictError):
        services.calibration_session_create(
            user=manager_user,
            data=SessionInput(
                name="x",
                scorecard_id=scorecard.pk,
                reviewer_ids=(qa_user.pk, second_qa_user.pk),
                followup_id=CALL_ID,
            ),
        )


# --- Calibration reviews ---------------------------------------------------------------------


def test_a_reviewer_answers_blind_and_the_last_answer_opens_the_results(
    session, qa_user, second_qa_user, manager_user, auditor_user
):
    first = _submit(qa_user, session, "yes", "no", "yes", comment="Balance missing")
    # Scored like a review: balance (weight 1 of 6) missed.
    assert (str(first.score), first.verdict) == ("83.3", "needs_coaching")
    entry = _last_audit()
    assert (entry.action, entry.followup_id) == (AuditAction.CALIBRATION_SUBMIT, CALL_ID)
    # The trail says where, never what.
    assert entry.detail == f"session {session.pk}, calibration review {first.pk}"
    session.refresh_from_db()
    assert session.state == SessionState.OPEN
    # Blind: nobody sees the results yet, managers and those who see every review included.
    for user in (qa_user, second_qa_user, manager_user, auditor_user):
        with pytest.raises(CalibrationConflictError, match="blind"):
            services.calibration_results_get(user=user, session_id=session.pk)
        with pytest.raises(CalibrationConflictError):
            list(services.calibration_results_export(user=user, session_id=session.pk))
    _submit(second_qa_user, session, "yes", "yes", "yes")
    session.refresh_from_db()
    assert session.state == SessionState.CLOSED
    assert session.closed_at is not None
    results = services.calibration_results_get(user=second_qa_user, session_id=session.pk)
    assert [row.answers for row in results.calls[0].criteria][1] == [
        ("qa-second", "yes"),
        ("qa-user", "no"),
    ]
    assert results.calls[0].comments == [("qa-user", "Balance missing")]


def test_answers_are_read_only_once_submitted(session, qa_user):
    _submit(qa_user, session, "yes", "yes", "yes")
    with pytest.raises(CalibrationConflictError, match="already"):
        _submit(qa_user, session, "no", "no", "no")
    assert CalibrationReview.objects.count() == 1


def test_only_the_sessions_reviewers_answer_and_only_its_calls(
    session, qa_user, manager_user, auditor_user
):
    with pytest.raises(CalibrationDeniedError):
        _submit(manager_user, session, "yes", "yes", "yes")
    with pytest.raises(CalibrationDeniedError):
        _submit(auditor_user, session, "yes", "yes", "yes")
    with pytest.raises(CalibrationNotFoundError):
        _submit(qa_user, session, "yes", "yes", "yes", followup_id=OTHER_ID)
    with pytest.raises(CalibrationNotFoundError):
        services.calibration_review_submit(
            user=qa_user, session_id=session.pk + 99, followup_id=CALL_ID, answers={}
        )
    assert CalibrationReview.objects.count() == 0


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ({}, "Answer every criterion"),
        ({"first": "maybe"}, "yes, no or not applicable"),
        ({"foreign": "yes"}, "not in this version"),
        ({"all": "na"}, "at least one criterion"),
    ],
)
def test_incomplete_or_foreign_answers_are_refused(session, qa_user, answers, says):
    ids = [c.pk for c in session.scorecard.criteria.all()]
    posted = {
        "first": {**dict.fromkeys(ids, "yes"), ids[0]: answers.get("first")},
        "foreign": {**dict.fromkeys(ids, "yes"), 10**9: "yes"},
        "all": dict.fromkeys(ids, "na"),
    }
    chosen = posted[next(iter(answers))] if answers else {}
    with pytest.raises(ReviewError, match=says):
        services.calibration_review_submit(
            user=qa_user, session_id=session.pk, followup_id=CALL_ID, answers=chosen
        )
    assert CalibrationReview.objects.count() == 0


def test_a_closed_session_takes_no_more_answers(session, qa_user, manager_user):
    services.calibration_session_close(user=manager_user, session_id=session.pk)
    with pytest.raises(CalibrationConflictError, match="closed"):
        _submit(qa_user, session, "yes", "yes", "yes")
    with pytest.raises(CalibrationConflictError, match="closed already"):
        services.calibration_session_close(user=manager_user, session_id=session.pk)


def test_only_a_manager_closes_a_session(session, qa_user, auditor_user):
    for user in (qa_user, auditor_user):
        with pytest.raises(CalibrationDeniedError):
            services.calibration_session_close(user=user, session_id=session.pk)
    session.refresh_from_db()
    assert session.state == SessionState.OPEN


# --- Records of their own ------------------------------------------------------------------


def test_calibration_answers_count_in_no_regular_figure(session, qa_user, manager_user):
    _submit(qa_user, session, "yes", "no", "yes")
    assert not reviews_visible(user=manager_user).exists()
    assert not reviews_visible(user=qa_user).exists()
    # The queue still offers the call for a regular review.
    assert CALL_ID not in queue_excluded_ids(user=qa_user)
    start, end = default_range(today=timezone.localdate())
    figures = insights_figures(user=manager_user, filters=InsightsFilters(start=start, end=end))
    assert figures.total == 0
    assert figures.criteria == []


# --- Results, references, distance ----------------------------------------------------------


def test_results_show_agreement_alpha_and_distance_from_the_references(
    session, qa_user, second_qa_user, manager_user, auditor_user, plain_user
):
    services.calibration_references_save(
        user=manager_user,
        session_id=session.pk,
        followup_id=CALL_ID,
        answers=answers_of(session.scorecard, "yes", "no", "yes"),
    )
    assert _last_audit().action == AuditAction.CALIBRATION_REFERENCE
    _submit(qa_user, session, "yes", "no", "na")
    _submit(second_qa_user, session, "yes", "yes", "yes")
    results = services.calibration_results_get(user=auditor_user, session_id=session.pk)
    entry = _last_audit()
    assert (entry.action, entry.user) == (AuditAction.CALIBRATION_RESULTS, auditor_user)
    disclosure, balance, wrapped = results.calls[0].criteria
    assert (disclosure.modal, disclosure.agreeing_share) == ("yes", 100.0)
    assert (balance.modal, balance.modal_label, balance.agreeing_share) == ("", "tie", 50.0)
    assert wrapped.reference == "yes"
    distances = {d.username: (d.compared, d.differing) for d in results.distances}
    assert distances == {"qa-user": (3, 1), "qa-second": (3, 1)}
    # Units (call, criterion): yes/yes, no/yes, and a lone yes (n/a is missing, so it cannot
    # be compared): agreement no better than chance.
    assert results.alpha == pytest.approx(0.0)
    with pytest.raises(CalibrationNotFoundError):
        services.calibration_results_get(user=plain_user, session_id=session.pk)
    assert services.reference_distances(
        user=manager_user, usernames=["qa-user", "qa-second", "nobody"]
    ) == {
        "qa-user": services.ReferenceDistance(compared=3, differing=1),
        "qa-second": services.ReferenceDistance(compared=3, differing=1),
    }
    # A reviewer sees their own distance only.
    assert set(services.reference_distances(user=qa_user, usernames=["qa-user", "qa-second"])) == {
        "qa-user"
    }


def test_references_need_the_calibration_permission(session, qa_user):
    with pytest.raises(CalibrationDeniedError):
        services.calibration_references_save(
            user=qa_user,
            session_id=session.pk,
            followup_id=CALL_ID,
            answers=answers_of(session.scorecard, "yes", "no", "yes"),
        )


def test_distance_counts_closed_sessions_only(session, qa_user, manager_user):
    services.calibration_references_save(
        user=manager_user,
        session_id=session.pk,
        followup_id=CALL_ID,
        answers=answers_of(session.scorecard, "yes", "no", "yes"),
    )
    _submit(qa_user, session, "no", "no", "yes")
    assert services.reference_distances(user=manager_user, usernames=["qa-user"]) == {}
    services.calibration_session_close(user=manager_user, session_id=session.pk)
    assert services.reference_distances(user=manager_user, usernames=["qa-user"]) == {
        "qa-user": services.ReferenceDistance(compared=3, differing=1)
    }


def test_the_export_is_audited_and_lists_every_answer(
    session, qa_user, second_qa_user, manager_user
):
    _submit(qa_user, session, "yes", "no", "yes", comment="=HYPERLINK(1)")
    _submit(second_qa_user, session, "yes", "yes", "yes")
    lines = list(services.calibration_results_export(user=manager_user, session_id=session.pk))
    assert _last_audit().action == AuditAction.CALIBRATION_EXPORT
    assert lines[0].startswith("session,followup_id,criterion,reviewer,answer")
    assert len(lines) == 1 + 3 * 2
    assert any("Balance stated,qa-user,No" in line for line in lines)


def test_a_scorecard_in_a_session_changes_as_a_new_version(session):
    from reviews import services as review_services

    original = list(session.scorecard.criteria.values_list("label", flat=True))
    revised = review_services.scorecard_revise(
        scorecard=session.scorecard, criteria=[review_services.CriterionSpec(label="New")]
    )
    session.refresh_from_db()
    assert revised.pk != session.scorecard.pk
    assert revised.version == 2
    assert list(session.scorecard.criteria.values_list("label", flat=True)) == original
