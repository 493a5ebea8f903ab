"""Comments, reviews and scorecard versions (reviews/services.py), with their audit trail."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from followups.models import AuditAction, AuditEntry, AuditOutcome
from reviews import forms, services
from reviews.models import Answer, AnswerValue, Comment, Review, ReviewStatus, Scorecard, Verdict
from tests.support.reviews import CALL_DURATION_MS, CALL_ID, OTHER_ID, answers_all

END = forms.recording_end_token(followup_id=CALL_ID, duration_ms=CALL_DURATION_MS)


def _comment(user, at="0:12", text="Greets", end="", recording_end=END):
    return services.comment_add(
        user=user,
        followup_id=CALL_ID,
        data=services.CommentInput(at=at, text=text, end=end, recording_end=recording_end),
    )


def _last_audit():
    return AuditEntry.objects.order_by("-id").first()


# --- Comments --------------------------------------------------------------------------------


def test_a_comment_is_kept_at_its_moment_and_audited_without_its_text(qa_user):
    comment = _comment(qa_user, at="0:45", end="0:50", text="  Balance wrong \n")
    assert (comment.at_seconds, comment.end_seconds, comment.text) == (45, 50, "Balance wrong")
    entry = _last_audit()
    assert (entry.action, entry.outcome, entry.followup_id) == (
        AuditAction.COMMENT_ADD,
        AuditOutcome.SHOWN,
        CALL_ID,
    )
    assert entry.detail == f"comment {comment.pk} at 0:45-0:50"


@pytest.mark.parametrize(
    ("at", "end", "text", "says"),
    [
        ("-1", "", "x", "before the start"),
        ("0:58", "", "x", r"past the end of the recording \(0:57\)"),
        ("0:10", "0:59", "x", "past the end"),
        ("0:10", "0:05", "x", "must come after"),
        ("0:10", "", "   ", "Write the comment"),
        ("0:10", "", "x" * 2001, "at most 2000"),
        ("soon", "", "x", "not a moment"),
    ],
)
def test_a_bad_comment_is_refused_whole_and_audited(qa_user, at, end, text, says):
    with pytest.raises(services.ReviewError, match=says) as caught:
        _comment(qa_user, at=at, end=end, text=text)
    assert caught.value.status_code == 400
    assert not Comment.objects.exists()
    entry = _last_audit()
    assert (entry.action, entry.outcome) == (AuditAction.COMMENT_ADD, AuditOutcome.REJECTED_INPUT)


def test_the_end_is_checked_only_when_the_page_signed_it_for_this_followup(qa_user):
    forged = END[:-2] + ("AA" if not END.endswith("AA") else "BB")
    other = forms.recording_end_token(followup_id=OTHER_ID, duration_ms=1000)
    for token in ("", forged, other):
        assert _comment(qa_user, at="5:00", recording_end=token).at_seconds == 300
    with pytest.raises(services.ReviewError, match="past the end"):
        _comment(qa_user, at="24:00:01", recording_end="")


def test_without_the_review_permission_nothing_is_kept(manager_user, auditor_user, plain_user):
    _comment(manager_user)  # managers review too
    for user in (auditor_user, plain_user):
        with pytest.raises(services.ReviewDeniedError):
            _comment(user)
        assert _last_audit().outcome == AuditOutcome.DENIED
    assert Comment.objects.count() == 1


def test_only_the_author_edits_or_deletes_a_comment(qa_user, manager_user):
    comment = _comment(qa_user)
    data = services.CommentInput(at="0:20", text="Changed", recording_end=END)
    with pytest.raises(services.ReviewDeniedError):
        services.comment_edit(
            user=manager_user, followup_id=CALL_ID, comment_id=comment.pk, data=data
        )
    with pytest.raises(services.ReviewDeniedError):
        services.comment_delete(user=manager_user, followup_id=CALL_ID, comment_id=comment.pk)
    assert _last_audit().outcome == AuditOutcome.DENIED
    edited = services.comment_edit(
        user=qa_user, followup_id=CALL_ID, comment_id=comment.pk, data=data
    )
    assert (edited.at_seconds, edited.text) == (20, "Changed")
    assert _last_audit().detail == f"comment {comment.pk} at 0:12, now at 0:20"
    services.comment_delete(user=qa_user, followup_id=CALL_ID, comment_id=comment.pk)
    assert not Comment.objects.exists()
    actions = list(
        AuditEntry.objects.filter(outcome=AuditOutcome.SHOWN)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.COMMENT_ADD,
        AuditAction.COMMENT_EDIT,
        AuditAction.COMMENT_DELETE,
    ]


def test_comments_are_read_by_their_author_and_by_those_who_see_all(qa_user, manager_user):
    mine = _comment(qa_user, at="0:30")
    theirs = _comment(manager_user, at="0:05")
    assert list(services.comments_visible(user=qa_user, followup_id=CALL_ID)) == [mine]
    assert list(services.comments_visible(user=manager_user, followup_id=CALL_ID)) == [
        theirs,
        mine,
    ]


# --- Reviews ---------------------------------------------------------------------------------


def _save(user, scorecard, answers, submit=False, summary="", scorecard_id=None):
    return services.review_save(
        user=user,
        followup_id=CALL_ID,
        data=services.ReviewInput(
            scorecard_id=scorecard.pk if scorecard_id is None else scorecard_id,
            answers=answers,
            summary=summary,
            submit=submit,
        ),
    )


def test_a_draft_then_a_submitted_review_with_score_and_verdict(qa_user, scorecard):
    disclosure, balance, wrap = scorecard.criteria.all()
    draft = _save(qa_user, scorecard, {disclosure.pk: "yes"})
    assert (draft.status, draft.score, draft.verdict) == (ReviewStatus.DRAFT, 100, Verdict.PASS)
    review = _save(
        qa_user,
        scorecard,
        {disclosure.pk: "yes", balance.pk: "no", wrap.pk: "na"},
        submit=True,
        summary="Good",
    )
    assert review.pk == draft.pk
    assert (review.status, review.score, review.verdict) == (
        ReviewStatus.SUBMITTED,
        Decimal("75.0"),
        Verdict.NEEDS_COACHING,
    )
    assert review.submitted_at is not None
    assert Answer.objects.filter(review=review).count() == 3
    assert services.reviewed_followup_ids(user=qa_user) == {CALL_ID}
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        AuditAction.REVIEW_SAVE,
        AuditAction.REVIEW_SUBMIT,
    ]


def test_a_failed_critical_criterion_fails_the_review(qa_user, scorecard):
    disclosure, balance, wrap = scorecard.criteria.all()
    review = _save(
        qa_user, scorecard, {disclosure.pk: "no", balance.pk: "yes", wrap.pk: "yes"}, submit=True
    )
    assert (review.score, review.verdict) == (Decimal("50.0"), Verdict.FAIL)


def test_submitting_twice_is_refused_and_changes_nothing(qa_user, scorecard):
    review = _save(qa_user, scorecard, answers_all(scorecard, "yes"), submit=True)
    with pytest.raises(services.ReviewConflictError, match="submitted already") as caught:
        _save(qa_user, scorecard, answers_all(scorecard, "no"), submit=True)
    assert caught.value.status_code == 409
    with pytest.raises(services.ReviewConflictError):
        _save(qa_user, scorecard, answers_all(scorecard, "no"))
    review.refresh_from_db()
    assert (review.score, review.verdict) == (100, Verdict.PASS)
    assert set(Answer.objects.values_list("value", flat=True)) == {"yes"}
    assert _last_audit().outcome == AuditOutcome.REJECTED_INPUT


@pytest.mark.parametrize(
    "problem",
    [
        "missing answer",
        "all n/a",
        "foreign criterion",
        "bad value",
        "long summary",
        "other version",
    ],
)
def test_bad_reviews_are_refused_whole(qa_user, scorecard, problem):
    answers = answers_all(scorecard, "yes")
    summary = ""
    scorecard_id = None
    if problem == "missing answer":
        answers.popitem()
    elif problem == "all n/a":
        answers = answers_all(scorecard, "na")
    elif problem == "foreign criterion":
        other = services.scorecard_create(
            name="Other", criteria=[services.CriterionSpec(label="Other")]
        )
        answers = {**answers, other.criteria.get().pk: "yes"}
    elif problem == "bad value":
        answers[next(iter(answers))] = "maybe"
    elif problem == "long summary":
        summary = "x" * 4001
    elif problem == "other version":
        _save(qa_user, scorecard, {})
        scorecard_id = services.scorecard_create(name="Other", criteria=[]).pk
    before = Review.objects.count()
    with pytest.raises(services.ReviewError):
        _save(qa_user, scorecard, answers, submit=True, summary=summary, scorecard_id=scorecard_id)
    assert Review.objects.count() == before
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()
    assert not Answer.objects.exists()


def test_a_manager_reopens_a_submitted_review(qa_user, manager_user, scorecard):
    review = _save(qa_user, scorecard, answers_all(scorecard, "yes"), submit=True)
    with pytest.raises(services.ReviewDeniedError):
        services.review_reopen(user=qa_user, review_id=review.pk)
    services.review_reopen(user=manager_user, review_id=review.pk)
    review.refresh_from_db()
    assert (review.status, review.submitted_at) == (ReviewStatus.DRAFT, None)
    assert services.reviewed_followup_ids(user=qa_user) == set()
    with pytest.raises(services.ReviewConflictError):
        services.review_reopen(user=manager_user, review_id=review.pk)
    assert _save(qa_user, scorecard, answers_all(scorecard, "no"), submit=True).verdict == "fail"


def test_reviews_are_seen_by_their_reviewer_and_by_those_who_see_all(
    qa_user, manager_user, auditor_user, plain_user, scorecard
):
    review = _save(qa_user, scorecard, {})
    assert list(services.reviews_visible(user=qa_user)) == [review]
    assert list(services.reviews_visible(user=manager_user)) == [review]
    assert list(services.reviews_visible(user=auditor_user)) == [review]
    assert list(services.reviews_visible(user=plain_user)) == []


# --- Scorecard versions ----------------------------------------------------------------------


def test_editing_a_scorecard_in_use_makes_a_new_version(qa_user, scorecard):
    old_criteria = list(scorecard.criteria.values_list("label", flat=True))
    revised = services.scorecard_revise(
        scorecard=scorecard, criteria=[services.CriterionSpec(label="Unused yet")]
    )
    assert revised.pk == scorecard.pk  # nobody answered it: changed in place
    revised = services.scorecard_revise(
        scorecard=scorecard,
        criteria=[services.CriterionSpec(label=label) for label in old_criteria],
    )
    review = _save(qa_user, revised, answers_all(revised, "yes"))
    newer = services.scorecard_revise(
        scorecard=revised,
        criteria=[services.CriterionSpec(label="Only this now", critical=True)],
        name="Calls 2",
    )
    assert newer.pk != revised.pk
    assert (newer.version, newer.family, newer.is_current) == (2, revised.family, True)
    revised.refresh_from_db()
    assert not revised.is_current
    assert list(services.scorecards_offered()) == [newer]
    review.refresh_from_db()
    assert review.scorecard_id == revised.pk
    assert list(review.scorecard.criteria.values_list("label", flat=True)) == old_criteria
    # The draft keeps answering the version it started on.
    assert _save(qa_user, revised, answers_all(revised, "yes"), submit=True).is_submitted
    # A new review on the withdrawn version is refused.
    with pytest.raises(services.ReviewConflictError, match="changed"):
        services.review_save(
            user=qa_user,
            followup_id=OTHER_ID,
            data=services.ReviewInput(scorecard_id=revised.pk, answers={}),
        )
    assert Scorecard.objects.filter(family=newer.family).count() == 2


class TestStoredScore(HypothesisTestCase):
    """The score saved with a review is the scoring rule's, whatever the answers."""

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.sampled_from(AnswerValue.values), min_size=3, max_size=3))
    def test_stored_score_matches(self, values):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission

        user = get_user_model().objects.create_user(username="hypothesis-reviewer")
        user.user_permissions.add(Permission.objects.get(codename="review_followup"))
        card = services.scorecard_create(
            name="H",
            criteria=[services.CriterionSpec(label=str(i), weight=i + 1) for i in range(3)],
        )
        answers = dict(zip(card.criteria.values_list("pk", flat=True), values, strict=True))
        review = services.review_save(
            user=user,
            followup_id=CALL_ID,
            data=services.ReviewInput(scorecard_id=card.pk, answers=answers),
        )
        review.refresh_from_db()
        expected = services.review_outcome_of(scorecard=card, answers=answers)
        assert review.score == expected.score
        assert review.verdict == expected.verdict


@pytest.mark.django_db
def test_the_roles_migration_gives_the_review_permissions_to_the_groups():
    from django.contrib.auth.models import Group

    def codenames(name: str) -> set[str]:
        permissions = Group.objects.get(name=name).permissions.filter(
            content_type__app_label="reviews"
        )
        return set(permissions.values_list("codename", flat=True))

    assert codenames("Collections managers") == {
        "review_followup",
        "view_all_reviews",
        "reopen_review",
    }
    assert codenames("QA reviewers") == {"review_followup"}
    assert codenames("Auditors") == {"view_all_reviews"}


def test_a_first_save_that_loses_a_race_is_a_conflict_not_a_crash(qa_user, scorecard):
    from reviews.services import _review_store

    services.review_save(
        user=qa_user,
        followup_id=CALL_ID,
        data=services.ReviewInput(scorecard_id=scorecard.pk, answers={}),
    )
    # What the other window's request holds: a new row for the same reviewer and followup.
    late = Review(followup_id=CALL_ID, reviewer=qa_user, scorecard=scorecard)
    with pytest.raises(services.ReviewConflictError, match="another window"):
        _review_store(late)
    assert Review.objects.count() == 1
