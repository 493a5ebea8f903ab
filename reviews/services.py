"""QA reviews' use cases: comments at a moment, reviews against a scorecard, who sees what.

Every change and every refusal is written to the audit trail. Nothing here asks GetBill: a
review is tied to a followup by its ID, and the end of a recording comes from the detail page,
signed by the server when it rendered the followup (see `forms.recording_end_token`). What
users type is read by the forms of `reviews.forms`; the use cases audit what they refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import PROTECT, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from reviews import extensions
from reviews.errors import (
    ReviewConflictError,
    ReviewDeniedError,
    ReviewError,
    ReviewNotFoundError,
)
from reviews.forms import (
    CommentForm,
    CommentInput,
    ReviewFilters,
    ReviewInput,
    call_type_of,
)
from reviews.host import (
    AuditAction,
    AuditOutcome,
    LookupAudit,
    audit_record,
    csv_lines,
    failures_audited,
    getbill_id_require,
    moment_format,
    refused,
    user_may,
)
from reviews.models import (
    SUMMARY_MAX_LENGTH,
    Answer,
    AnswerValue,
    Comment,
    Criterion,
    Review,
    ReviewStatus,
    Scorecard,
    SuggestionUse,
    Verdict,
)
from reviews.scoring import Outcome, ScoredAnswer, review_outcome
from trackers.evidence import Evidence, evidence_for

PERM_REVIEW = "reviews.review_followup"
PERM_VIEW_ALL = "reviews.view_all_reviews"
PERM_REOPEN = "reviews.reopen_review"

User = AbstractBaseUser | AnonymousUser


# --- Who may do what -----------------------------------------------------------------------


def may_review(*, user: User) -> bool:
    return user_may(user=user, permissions=[PERM_REVIEW])


def may_see_all(*, user: User) -> bool:
    return user_may(user=user, permissions=[PERM_VIEW_ALL])


def may_see_reviews(*, user: User) -> bool:
    return may_review(user=user) or may_see_all(user=user)


def _audit(*, user: AbstractBaseUser, action: AuditAction, followup_id: str = "") -> LookupAudit:
    return LookupAudit(user=user, action=action, followup_id=followup_id)


def _done(*, user: AbstractBaseUser, action: AuditAction, followup_id: str, detail: str) -> None:
    """Write a carried-out action to the audit trail."""
    audit_record(
        user=user,
        action=action,
        outcome=AuditOutcome.SHOWN,
        followup_id=followup_id,
        detail=detail,
    )


def _require(*, audit: LookupAudit, permission: str) -> None:
    if not user_may(user=audit.user, permissions=[permission]):
        raise refused(
            audit=audit, error=ReviewDeniedError("Your account is not allowed to review followups.")
        )


# --- Comments --------------------------------------------------------------------------------


def comments_visible(*, user: User, followup_id: str) -> QuerySet[Comment]:
    """The followup's comments `user` may read, in time order: everyone's for those who see all
    reviews, their own for other reviewers, none for anyone else."""
    comments = Comment.objects.filter(followup_id=followup_id).select_related("author")
    if may_see_all(user=user):
        return comments
    if may_review(user=user):
        return comments.filter(author_id=user.pk)
    return comments.none()


def _comment_describe(comment: Comment) -> str:
    # The audit trail says where, never what: the text may quote the debtor.
    span = moment_format(comment.at_seconds)
    if comment.end_seconds is not None:
        span += f"-{moment_format(comment.end_seconds)}"
    return f"comment {comment.pk} at {span}"


def comment_add(*, user: AbstractBaseUser, followup_id: str, data: CommentInput) -> Comment:
    """Pin a comment to a moment of the followup's recording; raises ReviewError."""
    action = AuditAction.COMMENT_ADD
    _require(
        audit=_audit(user=user, action=action, followup_id=followup_id), permission=PERM_REVIEW
    )
    followup_id = getbill_id_require(user=user, action=action, raw=followup_id)
    with failures_audited(audit=_audit(user=user, action=action, followup_id=followup_id)):
        at, end, text = CommentForm.of_input(data, followup_id=followup_id).comment_require()
    with transaction.atomic():
        comment = Comment.objects.create(
            followup_id=followup_id, author_id=user.pk, at_seconds=at, end_seconds=end, text=text
        )
        _done(user=user, action=action, followup_id=followup_id, detail=_comment_describe(comment))
    return comment


def comment_own_get(
    *, user: AbstractBaseUser, followup_id: str, comment_id: int, action: AuditAction
) -> Comment:
    """The user's own comment; ReviewNotFoundError or ReviewDeniedError (audited) otherwise."""
    audit = _audit(user=user, action=action, followup_id=followup_id)
    _require(audit=audit, permission=PERM_REVIEW)
    with failures_audited(audit=audit):
        comment = Comment.objects.filter(pk=comment_id, followup_id=followup_id).first()
        if comment is None:
            raise ReviewNotFoundError("That comment does not exist (any more).")
        if comment.author_id != user.pk:
            raise ReviewDeniedError(
                f"Only its author may change comment {comment.pk}; it is not yours."
            )
    return comment


def comment_edit(
    *, user: AbstractBaseUser, followup_id: str, comment_id: int, data: CommentInput
) -> Comment:
    """Change the moment and text of the user's own comment; raises ReviewError."""
    action = AuditAction.COMMENT_EDIT
    comment = comment_own_get(
        user=user, followup_id=followup_id, comment_id=comment_id, action=action
    )
    with failures_audited(audit=_audit(user=user, action=action, followup_id=followup_id)):
        at, end, text = CommentForm.of_input(data, followup_id=followup_id).comment_require()
    with transaction.atomic():
        before = _comment_describe(comment)
        comment.at_seconds, comment.end_seconds, comment.text = at, end, text
        comment.save(update_fields=["at_seconds", "end_seconds", "text", "updated_at"])
        _done(
            user=user,
            action=action,
            followup_id=followup_id,
            detail=f"{before}, now at {_comment_describe(comment).rsplit(' at ', 1)[1]}",
        )
    return comment


def comment_delete(*, user: AbstractBaseUser, followup_id: str, comment_id: int) -> None:
    """Delete the user's own comment; the audit trail keeps that it was there and where."""
    action = AuditAction.COMMENT_DELETE
    comment = comment_own_get(
        user=user, followup_id=followup_id, comment_id=comment_id, action=action
    )
    with transaction.atomic():
        detail = _comment_describe(comment)
        comment.delete()
        _done(user=user, action=action, followup_id=followup_id, detail=detail)


# --- Scorecards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    label: str
    weight: int = 1
    critical: bool = False
    help_text: str = ""


def scorecards_offered() -> QuerySet[Scorecard]:
    """The scorecards a new review may use: the newest version of each active one (a picker's
    list: the criteria of the one picked are read when it is shown)."""
    return Scorecard.objects.filter(is_current=True, is_active=True)


def _criteria_create(*, scorecard: Scorecard, criteria: Sequence[CriterionSpec]) -> None:
    Criterion.objects.bulk_create(
        Criterion(
            scorecard=scorecard,
            position=position,
            label=spec.label,
            help_text=spec.help_text,
            weight=spec.weight,
            critical=spec.critical,
        )
        for position, spec in enumerate(criteria, start=1)
    )


def scorecard_create(
    *, name: str, criteria: Sequence[CriterionSpec], description: str = "", **marks: int
) -> Scorecard:
    """A new scorecard (version 1) with its criteria in the order given."""
    with transaction.atomic():
        scorecard = Scorecard.objects.create(name=name, description=description, **marks)
        _criteria_create(scorecard=scorecard, criteria=criteria)
    return scorecard


def scorecard_in_use(*, scorecard: Scorecard) -> bool:
    """Whether a record keeps this version: a review, or a row of an app built on reviews (a
    calibration session) that protects the scorecard it answers."""
    if scorecard.pk is None:
        return False
    return any(
        relation.on_delete is PROTECT
        and relation.related_model._default_manager.filter(
            **{relation.field.name: scorecard.pk}
        ).exists()
        for relation in Scorecard._meta.related_objects
    )


def scorecard_new_version(*, scorecard: Scorecard) -> Scorecard:
    """A copy of `scorecard` as its family's next version, now the current one, without
    criteria (the caller adds them); the old version stays for the reviews that answered it."""
    with transaction.atomic():
        newest = (
            Scorecard.objects.select_for_update()
            .filter(family=scorecard.family)
            .order_by("-version")
            .first()
        )
        Scorecard.objects.filter(family=scorecard.family, is_current=True).update(is_current=False)
        return Scorecard.objects.create(
            name=scorecard.name,
            description=scorecard.description,
            family=scorecard.family,
            version=(newest.version if newest else scorecard.version) + 1,
            is_current=True,
            is_active=scorecard.is_active,
            pass_mark=scorecard.pass_mark,
            coaching_mark=scorecard.coaching_mark,
        )


def scorecard_revise(
    *, scorecard: Scorecard, criteria: Sequence[CriterionSpec], **changes: Any
) -> Scorecard:
    """Give `scorecard` new settings and criteria: in place while no review answered it, as a
    new version once one did. Returns the version that holds them."""
    for field, value in changes.items():
        setattr(scorecard, field, value)
    with transaction.atomic():
        if scorecard_in_use(scorecard=scorecard):
            scorecard = scorecard_new_version(scorecard=scorecard)
        else:
            scorecard.save()
            scorecard.criteria.all().delete()
        _criteria_create(scorecard=scorecard, criteria=criteria)
    return scorecard


# --- Reviews ---------------------------------------------------------------------------------


def review_own_get(*, user: User, followup_id: str) -> Review | None:
    # The answers and the scorecard's criteria are prefetched: the panel shows both. (One query
    # with each criterion's answer as a subquery costs more to build than the two it saves.)
    return (
        Review.objects.filter(followup_id=followup_id, reviewer_id=user.pk)
        .select_related("scorecard", "reviewer")
        .prefetch_related("answers", "scorecard__criteria")
        .first()
    )


def review_outcome_of(*, scorecard: Scorecard, answers: Mapping[int, str]) -> Outcome:
    """Score and verdict of `answers` to `scorecard`'s criteria."""
    return review_outcome(
        answers=[
            ScoredAnswer(weight=c.weight, critical=c.critical, value=answers[c.pk])
            for c in scorecard.criteria.all()
            if c.pk in answers
        ],
        pass_mark=scorecard.pass_mark,
        coaching_mark=scorecard.coaching_mark,
    )


def _review_scorecard(*, review: Review | None, scorecard_id: int | None) -> Scorecard:
    if review is not None:
        if scorecard_id is not None and scorecard_id != review.scorecard_id:
            raise ReviewError(
                "These answers are for another version of the scorecard than this review's. "
                "Reload the page and answer again."
            )
        return review.scorecard
    if scorecard_id is None:
        raise ReviewError("Choose a scorecard.")
    scorecard = Scorecard.objects.filter(pk=scorecard_id).first()
    if scorecard is None:
        raise ReviewError("That scorecard does not exist.")
    if not (scorecard.is_current and scorecard.is_active):
        raise ReviewConflictError(
            "That scorecard was changed or withdrawn since the page was opened. Reload the page "
            "and answer its current version."
        )
    return scorecard


def answers_clean(
    *, scorecard: Scorecard, answers: Mapping[int, str], submit: bool
) -> dict[int, str]:
    """`answers` checked against `scorecard`'s criteria (all of them, one at least yes or no,
    when submitting); ReviewError otherwise. Calibration reviews answer by the same rule."""
    criteria = {c.pk: c for c in scorecard.criteria.all()}
    foreign = sorted(set(answers) - set(criteria))
    if foreign:
        raise ReviewError(
            "Some answers are for criteria that are not in this version of the scorecard. "
            "Reload the page and answer again."
        )
    if any(value not in AnswerValue.values for value in answers.values()):
        raise ReviewError("Answer each criterion with yes, no or not applicable.")
    if submit:
        missing = [c.label for pk, c in criteria.items() if pk not in answers]
        if missing:
            raise ReviewError("Answer every criterion before submitting: " + "; ".join(missing))
        if all(value == AnswerValue.NOT_APPLICABLE for value in answers.values()):
            raise ReviewError("A review needs at least one criterion answered yes or no.")
    return dict(answers)


def review_save(*, user: AbstractBaseUser, followup_id: str, data: ReviewInput) -> Review:
    """Save the user's review of a followup as a draft, or submit it (`data.submit`).

    All or nothing: bad input (answers to another scorecard version, missing answers on
    submission, an over-long summary) and a review already submitted raise ReviewError and
    change nothing.
    """
    action = AuditAction.REVIEW_SUBMIT if data.submit else AuditAction.REVIEW_SAVE
    _require(
        audit=_audit(user=user, action=action, followup_id=followup_id), permission=PERM_REVIEW
    )
    followup_id = getbill_id_require(user=user, action=action, raw=followup_id)
    with (
        failures_audited(audit=_audit(user=user, action=action, followup_id=followup_id)),
        transaction.atomic(),
    ):
        review = (
            Review.objects.select_for_update()
            .filter(followup_id=followup_id, reviewer_id=user.pk)
            .select_related("scorecard")
            .first()
        )
        if review is not None and review.is_submitted:
            raise ReviewConflictError(
                "This review was submitted already; it is read-only. A manager can reopen it."
            )
        scorecard = _review_scorecard(review=review, scorecard_id=data.scorecard_id)
        answers = answers_clean(scorecard=scorecard, answers=data.answers, submit=data.submit)
        summary = data.summary.strip()
        if len(summary) > SUMMARY_MAX_LENGTH:
            raise ReviewError(
                f"The summary holds at most {SUMMARY_MAX_LENGTH} characters; "
                f"this one has {len(summary)}."
            )
        outcome = review_outcome_of(scorecard=scorecard, answers=answers)
        if review is None:
            review = Review(
                followup_id=followup_id,
                reviewer_id=user.pk,
                scorecard=scorecard,
                call_type=call_type_of(token=data.call_type, followup_id=followup_id),
            )
        review.summary = summary
        review.score = outcome.score
        review.verdict = outcome.verdict
        if data.submit:
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = timezone.now()
        _review_store(review)
        review.answers.all().delete()
        evidence = _evidence(scorecard=scorecard, followup_id=followup_id)
        Answer.objects.bulk_create(
            Answer(
                review=review,
                criterion_id=pk,
                value=value,
                suggestion=_suggestion_use(evidence[pk].suggested if pk in evidence else "", value),
                tracker_flagged=pk in evidence and evidence[pk].flagged,
            )
            for pk, value in answers.items()
        )
        if data.submit:
            extensions.submitted_changed(review=review, change=1)
        _done(user=user, action=action, followup_id=followup_id, detail=_review_describe(review))
    return review


def _evidence(*, scorecard: Scorecard, followup_id: str) -> dict[int, Evidence]:
    """The evidence of the trackers linked to `scorecard`'s criteria (the answer each
    suggests, whether it flagged the call), by criterion."""
    linked = {c.pk: c.tracker_id for c in scorecard.criteria.all() if c.tracker_id is not None}
    evidence = evidence_for(followup_id=followup_id, tracker_ids=linked.values())
    return {pk: evidence[tracker_id] for pk, tracker_id in linked.items() if tracker_id in evidence}


def _suggestion_use(suggested: str, value: str) -> str:
    if not suggested:
        return ""
    return SuggestionUse.FOLLOWED if value == suggested else SuggestionUse.OVERRIDDEN


def _review_store(review: Review) -> None:
    # Two first saves of one review at once (two tabs): the second finds the row taken.
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ReviewConflictError(
            "This review was just saved from another window. Reload the page to see it."
        ) from None


def _review_describe(review: Review) -> str:
    verdict = Verdict(review.verdict).label if review.verdict else "no verdict yet"
    score = f"{review.score}%" if review.score is not None else "no score"
    return f"review {review.pk} ({review.scorecard}): {score}, {verdict}"


def review_visible_get(*, user: User, review_id: int) -> Review:
    """A review the user may read (theirs, or anyone's with "see all"); ReviewNotFoundError."""
    review = (
        reviews_visible(user=user)
        .filter(pk=review_id)
        .select_related("scorecard", "reviewer")
        .first()
    )
    if review is None:
        raise ReviewNotFoundError("There is no such review, or it is not yours to see.")
    return review


def review_reopen(*, user: AbstractBaseUser, review_id: int) -> Review:
    """Turn a submitted review back into a draft its reviewer can change (managers only)."""
    action = AuditAction.REVIEW_REOPEN
    review = Review.objects.filter(pk=review_id).first()
    followup_id = review.followup_id if review else ""
    audit = _audit(user=user, action=action, followup_id=followup_id)
    _require(audit=audit, permission=PERM_REOPEN)
    with failures_audited(audit=audit), transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise ReviewNotFoundError("There is no such review.")
        if not review.is_submitted:
            raise ReviewConflictError("This review is a draft already.")
        extensions.submitted_changed(review=review, change=-1)
        review.status = ReviewStatus.DRAFT
        review.submitted_at = None
        review.save(update_fields=["status", "submitted_at", "updated_at"])
        _done(
            user=user,
            action=action,
            followup_id=review.followup_id,
            detail=f"review {review.pk} of {review.reviewer.get_username()}",
        )
    return review


def reviewed_followup_ids(*, user: User) -> set[str]:
    """IDs of the followups `user` has submitted a review of (for review queues to leave out)."""
    if not user.is_authenticated:
        return set()
    return set(
        Review.objects.filter(reviewer_id=user.pk, status=ReviewStatus.SUBMITTED).values_list(
            "followup_id", flat=True
        )
    )


# --- Lists, counts, export -------------------------------------------------------------------


def reviewer_ids_visible(*, user: User) -> list[int] | None:
    """Whose reviews `user` may see: None for everyone's (those who see all), their own ID for
    reviewers, nobody's (an empty list) otherwise. Figures kept per reviewer take it too."""
    if may_see_all(user=user):
        return None
    if may_review(user=user):
        return [cast(int, user.pk)]
    return []


def reviews_visible(*, user: User) -> QuerySet[Review]:
    """Everyone's reviews for those who see all, their own for reviewers, none otherwise."""
    reviewer_ids = reviewer_ids_visible(user=user)
    if reviewer_ids is None:
        return Review.objects.all()
    if not reviewer_ids:
        return Review.objects.none()
    return Review.objects.filter(reviewer_id__in=reviewer_ids)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def reviews_filter(*, user: User, filters: ReviewFilters) -> QuerySet[Review]:
    """The reviews `user` may see that match `filters` (dates are submission days, in the
    active time zone, both ends included)."""
    reviews = reviews_visible(user=user).select_related("reviewer", "scorecard")
    if filters.reviewer_id is not None:
        reviews = reviews.filter(reviewer_id=filters.reviewer_id)
    if filters.verdict:
        reviews = reviews.filter(verdict=filters.verdict)
    if filters.status:
        reviews = reviews.filter(status=filters.status)
    if filters.scorecard_family:
        reviews = reviews.filter(scorecard__family=filters.scorecard_family)
    if filters.submitted_from:
        reviews = reviews.filter(submitted_at__gte=_day_start(filters.submitted_from))
    if filters.submitted_to:
        next_day = date.fromordinal(filters.submitted_to.toordinal() + 1)
        reviews = reviews.filter(submitted_at__lt=_day_start(next_day))
    return reviews


@dataclass(frozen=True)
class ReviewerCounts:
    username: str
    by_verdict: dict[str, int]
    drafts: int
    total: int

    @property
    def verdict_counts(self) -> list[int]:
        """Submitted reviews per verdict, in Verdict's order (the list's columns)."""
        return [self.by_verdict.get(verdict, 0) for verdict in Verdict.values]


def review_counts(*, reviews: QuerySet[Review]) -> list[ReviewerCounts]:
    """Per reviewer: submitted reviews by verdict, drafts, and all of them."""
    rows = reviews.values("reviewer__username").annotate(
        total=Count("id"),
        drafts=Count("id", filter=Q(status=ReviewStatus.DRAFT)),
        **{
            f"v_{verdict}": Count("id", filter=Q(status=ReviewStatus.SUBMITTED, verdict=verdict))
            for verdict in Verdict.values
        },
    )
    return [
        ReviewerCounts(
            username=row["reviewer__username"],
            by_verdict={verdict: row[f"v_{verdict}"] for verdict in Verdict.values},
            drafts=row["drafts"],
            total=row["total"],
        )
        for row in cast(Iterable[dict[str, Any]], rows.order_by("reviewer__username"))
    ]


CSV_COLUMNS = [
    "review_id",
    "followup_id",
    "reviewer",
    "scorecard",
    "scorecard_version",
    "status",
    "score",
    "verdict",
    "submitted_at_utc",
    "updated_at_utc",
    "answers",
    "summary",
]
_EXPORT_CHUNK = 500


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


def _answers_text(review: Review) -> str:
    return "; ".join(
        f"{answer.criterion.label}: {AnswerValue(answer.value).label}"
        for answer in sorted(review.answers.all(), key=lambda a: a.criterion.position)
    )


def reviews_export(*, user: AbstractBaseUser, reviews: QuerySet[Review]) -> Iterator[str]:
    """CSV lines of `reviews`, every cell safe from spreadsheet formulas; audited once."""
    audit_record(
        user=user,
        action=AuditAction.REVIEWS_EXPORT,
        outcome=AuditOutcome.SHOWN,
        detail=f"{reviews.count()} reviews",
    )
    prefetched = reviews.prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("criterion"))
    ).iterator(chunk_size=_EXPORT_CHUNK)
    return csv_lines(header=CSV_COLUMNS, rows=(_csv_row(review) for review in prefetched))


def _csv_row(review: Review) -> list[str]:
    return [
        str(review.pk),
        review.followup_id,
        review.reviewer.get_username(),
        review.scorecard.name,
        str(review.scorecard.version),
        review.status,
        "" if review.score is None else str(review.score),
        review.verdict,
        _utc(review.submitted_at),
        _utc(review.updated_at),
        _answers_text(review),
        review.summary,
    ]
