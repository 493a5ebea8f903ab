"""Calibration's use cases: a manager opens a session on a call (or a sample of the review
queue) for several reviewers; each answers every call blind; the results open once everyone
has answered everything, or when the manager closes the session.

Blind means blind for everyone: until the results open no page shows anyone's calibration
answers or comments but their own, whatever `reviews.view_all_reviews` says. Every change,
refusal, look at results and export is written to the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from calibration.errors import (
    CalibrationConflictError,
    CalibrationDeniedError,
    CalibrationError,
    CalibrationNotFoundError,
)
from calibration.forms import SessionInput
from calibration.models import (
    CalibrationAnswer,
    CalibrationCall,
    CalibrationReview,
    CalibrationSession,
    ReferenceAnswer,
    SessionState,
)
from calibration.results import SessionResults, answer_label, session_results
from followups.browse import review_queue_get
from reviews.host import (
    AuditAction,
    AuditOutcome,
    LookupAudit,
    audit_record,
    csv_lines,
    failures_audited,
    getbill_id_require,
    refused,
    user_may,
)
from reviews.models import COMMENT_MAX_LENGTH
from reviews.services import (
    PERM_REVIEW,
    User,
    answers_clean,
    may_review,
    may_see_all,
    review_outcome_of,
    scorecards_offered,
)

PERM_RUN = "calibration.run_calibration"


# --- Who may do what -----------------------------------------------------------------------


def may_run(*, user: User) -> bool:
    return user_may(user=user, permissions=[PERM_RUN])


def may_see_calibration(*, user: User) -> bool:
    return may_run(user=user) or may_review(user=user) or may_see_all(user=user)


def reviewers_eligible() -> QuerySet[AbstractBaseUser]:
    """Active users who hold the review permission, themselves or through a group."""
    app, codename = PERM_REVIEW.split(".")
    granted = Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app
    ) | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app)
    holders = get_user_model().objects.filter(granted).values("pk")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("username")


def _audit(*, user: AbstractBaseUser, action: AuditAction, followup_id: str = "") -> LookupAudit:
    return LookupAudit(user=user, action=action, followup_id=followup_id)


def _done(
    *, user: AbstractBaseUser, action: AuditAction, detail: str, followup_id: str = ""
) -> None:
    audit_record(
        user=user,
        action=action,
        outcome=AuditOutcome.SHOWN,
        followup_id=followup_id,
        detail=detail,
    )


def _require(*, audit: LookupAudit, allowed: bool, message: str) -> None:
    if not allowed:
        raise refused(audit=audit, error=CalibrationDeniedError(message))


def _session_of(*, session_id: int) -> CalibrationSession:
    session = (
        CalibrationSession.objects.filter(pk=session_id)
        .select_related("scorecard", "created_by")
        .first()
    )
    if session is None:
        raise CalibrationNotFoundError("There is no such calibration session.")
    return session


def _is_reviewer(*, session: CalibrationSession, user: User) -> bool:
    return user.pk is not None and session.reviewers.filter(pk=user.pk).exists()


# --- Sessions --------------------------------------------------------------------------------


def _queue_sample(*, user: AbstractBaseUser, size: int) -> list[str]:
    """Up to `size` calls picked at random from the first part of `user`'s review queue."""
    queue = review_queue_get(user=user, part=1)
    waiting = [str(row.followup.id) for row in queue.rows]
    if not waiting:
        raise CalibrationError("The review queue has no calls to sample just now.")
    return secrets.SystemRandom().sample(waiting, min(size, len(waiting)))


def calibration_session_create(*, user: AbstractBaseUser, data: SessionInput) -> CalibrationSession:
    """A new open session on one call or a sample of the review queue, for the reviewers
    picked; raises CalibrationError (audited)."""
    action = AuditAction.CALIBRATION_CREATE
    audit = _audit(user=user, action=action, followup_id=data.followup_id)
    _require(
        audit=audit,
        allowed=may_run(user=user),
        message="Your account is not allowed to run calibration sessions.",
    )
    with failures_audited(audit=audit):
        scorecard = scorecards_offered().filter(pk=data.scorecard_id).first()
        if scorecard is None:
            raise CalibrationConflictError(
                "That scorecard was changed or withdrawn since the page was opened. Pick it again."
            )
        reviewer_ids = list(
            reviewers_eligible().filter(pk__in=data.reviewer_ids).values_list("pk", flat=True)
        )
        if len(reviewer_ids) != len(set(data.reviewer_ids)):
            raise CalibrationError("Some of the reviewers picked may not review calls.")
        if data.followup_id:
            followup_ids = [data.followup_id]
        else:
            followup_ids = _queue_sample(user=user, size=data.sample_size or 1)
    with transaction.atomic():
        session = CalibrationSession.objects.create(
            name=data.name, scorecard=scorecard, created_by_id=user.pk
        )
        session.reviewers.set(reviewer_ids)
        CalibrationCall.objects.bulk_create(
            CalibrationCall(session=session, followup_id=followup_id, position=position)
            for position, followup_id in enumerate(followup_ids, start=1)
        )
        _done(
            user=user,
            action=action,
            followup_id=data.followup_id,
            detail=f"session {session.pk} ({scorecard}): {len(followup_ids)} calls, "
            f"{len(reviewer_ids)} reviewers",
        )
    return session


def sessions_visible(*, user: User) -> QuerySet[CalibrationSession]:
    """Every session for those who run calibration or see all reviews; the sessions they are in
    for reviewers; none for anyone else (their answers are a separate matter: see results)."""
    sessions = CalibrationSession.objects.select_related("scorecard", "created_by").annotate(
        call_count=Count("calls", distinct=True)
    )
    if may_run(user=user) or may_see_all(user=user):
        return sessions
    if may_review(user=user):
        return sessions.filter(reviewers=user.pk)
    return sessions.none()


def session_visible_get(*, user: User, session_id: int) -> CalibrationSession:
    session = sessions_visible(user=user).filter(pk=session_id).first()
    if session is None:
        raise CalibrationNotFoundError(
            "There is no such calibration session, or you are not in it."
        )
    return session


@dataclass(frozen=True)
class PendingCall:
    session: CalibrationSession
    followup_id: str


def calls_pending(*, user: User, followup_id: str = "") -> list[PendingCall]:
    """The calls of open sessions `user` is a reviewer of and has not answered yet (of one
    followup when `followup_id` is given)."""
    if not may_review(user=user):
        return []
    # A followup's page asks on every look, and almost no call is in a session: one look at the
    # indexed column first spares the page the joins below (a few milliseconds of building).
    if followup_id and not CalibrationCall.objects.filter(followup_id=followup_id).exists():
        return []
    calls = (
        CalibrationCall.objects.filter(session__state=SessionState.OPEN, session__reviewers=user.pk)
        .exclude(reviews__reviewer_id=user.pk)
        .select_related("session", "session__scorecard")
        .order_by("session_id", "position", "id")
    )
    if followup_id:
        calls = calls.filter(followup_id=followup_id)
    return [PendingCall(session=call.session, followup_id=call.followup_id) for call in calls]


@dataclass(frozen=True)
class ReviewerProgress:
    username: str
    answered: int


def session_progress(*, session: CalibrationSession) -> list[ReviewerProgress]:
    """How many calls each reviewer answered: counts only, safe to show before the results
    open."""
    rows = (
        session.reviewers.annotate(
            answered=Count(
                "calibration_reviews", filter=Q(calibration_reviews__call__session=session)
            )
        )
        .order_by("username")
        .values_list("username", "answered")
    )
    return [ReviewerProgress(username=name, answered=count) for name, count in rows]


def own_reviews(*, user: User, session: CalibrationSession) -> dict[str, CalibrationReview]:
    """The user's own calibration reviews of the session, by followup ID."""
    reviews = CalibrationReview.objects.filter(call__session=session, reviewer_id=user.pk)
    return {review.call.followup_id: review for review in reviews.select_related("call")}


def calibration_session_close(*, user: AbstractBaseUser, session_id: int) -> CalibrationSession:
    """Close an open session: its results open, with the answers given so far."""
    action = AuditAction.CALIBRATION_CLOSE
    audit = _audit(user=user, action=action)
    _require(
        audit=audit,
        allowed=may_run(user=user),
        message="Only those who run calibration sessions may close one.",
    )
    with failures_audited(audit=audit), transaction.atomic():
        session = _session_of(session_id=session_id)
        locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
        if locked.state == SessionState.CLOSED:
            raise CalibrationConflictError("This session is closed already.")
        _session_close(locked)
        _done(user=user, action=action, detail=f"session {locked.pk} closed by its manager")
    return locked


def _session_close(session: CalibrationSession) -> None:
    session.state = SessionState.CLOSED
    session.closed_at = timezone.now()
    session.save(update_fields=["state", "closed_at"])


def _all_answered(session: CalibrationSession) -> bool:
    expected = session.calls.count() * session.reviewers.count()
    given = CalibrationReview.objects.filter(
        call__session=session, reviewer__in=session.reviewers.all()
    ).count()
    return given >= expected


# --- Calibration reviews ---------------------------------------------------------------------


def calibration_review_submit(
    *,
    user: AbstractBaseUser,
    session_id: int,
    followup_id: str,
    answers: Mapping[int, str],
    comment: str = "",
) -> CalibrationReview:
    """The user's answers to one call of a session they are a reviewer of; read-only once
    submitted. The session closes (its results open) when this was the last answer expected.
    Raises CalibrationError (audited) or ReviewError for answers that do not fit the scorecard."""
    action = AuditAction.CALIBRATION_SUBMIT
    followup_id = getbill_id_require(user=user, action=action, raw=followup_id)
    audit = _audit(user=user, action=action, followup_id=followup_id)
    _require(
        audit=audit,
        allowed=may_review(user=user),
        message="Your account is not allowed to review followups.",
    )
    with failures_audited(audit=audit), transaction.atomic():
        session = _session_of(session_id=session_id)
        if not _is_reviewer(session=session, user=user):
            raise CalibrationDeniedError("You are not one of this calibration session's reviewers.")
        locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
        if locked.state == SessionState.CLOSED:
            raise CalibrationConflictError(
                "This calibration session is closed: its results are open."
            )
        call = session.calls.filter(followup_id=followup_id).first()
        if call is None:
            raise CalibrationNotFoundError("This call is not part of that calibration session.")
        cleaned = answers_clean(scorecard=session.scorecard, answers=answers, submit=True)
        text = comment.strip()
        if len(text) > COMMENT_MAX_LENGTH:
            raise CalibrationError(
                f"The comment holds at most {COMMENT_MAX_LENGTH} characters; "
                f"this one has {len(text)}."
            )
        outcome = review_outcome_of(scorecard=session.scorecard, answers=cleaned)
        review = _review_store(
            CalibrationReview(
                call=call,
                reviewer_id=user.pk,
                comment=text,
                score=outcome.score,
                verdict=outcome.verdict,
            )
        )
        CalibrationAnswer.objects.bulk_create(
            CalibrationAnswer(review=review, criterion_id=pk, value=value)
            for pk, value in cleaned.items()
        )
        if _all_answered(locked):
            _session_close(locked)
        # Where, never what: the answers stay blind in the trail too.
        _done(
            user=user,
            action=action,
            followup_id=followup_id,
            detail=f"session {session.pk}, calibration review {review.pk}",
        )
    return review


def _review_store(review: CalibrationReview) -> CalibrationReview:
    # The same call answered twice (two tabs, a resubmitted form): the second finds it taken.
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise CalibrationConflictError(
            "You answered this call of the session already; calibration answers are read-only."
        ) from None
    return review


def calibration_references_save(
    *, user: AbstractBaseUser, session_id: int, followup_id: str, answers: Mapping[int, str]
) -> int:
    """The manager's reference answers to one call (those given replace the call's earlier
    ones; criteria left out have none). Returns how many were saved."""
    action = AuditAction.CALIBRATION_REFERENCE
    followup_id = getbill_id_require(user=user, action=action, raw=followup_id)
    audit = _audit(user=user, action=action, followup_id=followup_id)
    _require(
        audit=audit,
        allowed=may_run(user=user),
        message="Only those who run calibration sessions may give reference answers.",
    )
    with failures_audited(audit=audit), transaction.atomic():
        session = _session_of(session_id=session_id)
        call = session.calls.filter(followup_id=followup_id).first()
        if call is None:
            raise CalibrationNotFoundError("This call is not part of that calibration session.")
        cleaned = answers_clean(scorecard=session.scorecard, answers=answers, submit=False)
        call.references.all().delete()
        ReferenceAnswer.objects.bulk_create(
            ReferenceAnswer(call=call, criterion_id=pk, value=value)
            for pk, value in cleaned.items()
        )
        _done(
            user=user,
            action=action,
            followup_id=followup_id,
            detail=f"session {session.pk}: {len(cleaned)} reference answers",
        )
    return len(cleaned)


def references_of(*, session: CalibrationSession, followup_id: str) -> dict[int, str]:
    return dict(
        ReferenceAnswer.objects.filter(
            call__session=session, call__followup_id=followup_id
        ).values_list("criterion_id", "value")
    )


# --- Results ---------------------------------------------------------------------------------


def _results_require(
    *, user: AbstractBaseUser, session_id: int, audit: LookupAudit
) -> CalibrationSession:
    with failures_audited(audit=audit):
        session = _session_of(session_id=session_id)
        allowed = (
            may_run(user=user)
            or may_see_all(user=user)
            or session.created_by_id == user.pk
            or (may_review(user=user) and _is_reviewer(session=session, user=user))
        )
        if not allowed:
            raise CalibrationNotFoundError(
                "There is no such calibration session, or you are not in it."
            )
        if not session.results_open:
            raise CalibrationConflictError(
                "The results open once every reviewer has answered every call, or when the "
                "manager closes the session. Until then the answers stay blind, for everyone."
            )
    return session


def calibration_results_get(*, user: AbstractBaseUser, session_id: int) -> SessionResults:
    """A closed session's results for those who may see them; every look is audited."""
    action = AuditAction.CALIBRATION_RESULTS
    session = _results_require(
        user=user, session_id=session_id, audit=_audit(user=user, action=action)
    )
    results = session_results(session=session)
    _done(user=user, action=action, detail=f"session {session.pk} results")
    return results


EXPORT_COLUMNS = [
    "session",
    "followup_id",
    "criterion",
    "reviewer",
    "answer",
    "reference",
    "differs_from_reference",
    "share_agreeing_percent",
]


def calibration_results_export(*, user: AbstractBaseUser, session_id: int) -> Iterator[str]:
    """A closed session's answers as CSV lines, one per call, criterion and reviewer; audited."""
    action = AuditAction.CALIBRATION_EXPORT
    session = _results_require(
        user=user, session_id=session_id, audit=_audit(user=user, action=action)
    )
    results = session_results(session=session)
    _done(user=user, action=action, detail=f"session {session.pk} results as CSV")
    rows = (
        [
            session.name,
            call.followup_id,
            row.criterion.label,
            name,
            answer_label(value),
            row.reference_label,
            ("yes" if value != row.reference else "no") if row.reference else "",
            "" if row.agreeing_share is None else f"{row.agreeing_share:g}",
        ]
        for call in results.calls
        for row in call.criteria
        for name, value in row.answers
    )
    return csv_lines(header=EXPORT_COLUMNS, rows=rows)


# --- Distance from the references, for the insights ---------------------------------------------


@dataclass(frozen=True)
class ReferenceDistance:
    compared: int
    differing: int

    @property
    def share(self) -> float:
        return round(100 * self.differing / self.compared, 1)


def reference_distances(*, user: User, usernames: Sequence[str]) -> dict[str, ReferenceDistance]:
    """Per reviewer among `usernames` (only themselves for a reviewer, anyone for those who see
    all reviews): how many of their answers across closed sessions had a reference answer, and
    how many differed from it. Counted by the database; reviewers without any are left out."""
    if may_see_all(user=user) or may_run(user=user):
        names = list(usernames)
    elif may_review(user=user):
        names = [name for name in usernames if name == user.get_username()]
    else:
        return {}
    reference = ReferenceAnswer.objects.filter(
        call=OuterRef("review__call"), criterion=OuterRef("criterion")
    ).values("value")[:1]
    rows = (
        CalibrationAnswer.objects.filter(
            review__call__session__state=SessionState.CLOSED,
            review__reviewer__username__in=names,
        )
        .annotate(reference=Subquery(reference))
        .filter(reference__isnull=False)
        .values("review__reviewer__username")
        .annotate(compared=Count("id"), differing=Count("id", filter=~Q(value=F("reference"))))
        .order_by()
    )
    return {
        row["review__reviewer__username"]: ReferenceDistance(
            compared=row["compared"], differing=row["differing"]
        )
        for row in rows
    }
