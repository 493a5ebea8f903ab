"""The refusals of QA reviews: application errors (`followups.errors.AppError`) that say their
status and how the audit trail records them; the error boundary shows them."""

from __future__ import annotations

from reviews.host import AppError, AuditOutcome


class ReviewError(AppError):
    """A refused review action; `message` is for the person who tried it. Audited as rejected
    input unless a subclass says otherwise."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ReviewDeniedError(ReviewError):
    status_code = 403
    audit_outcome = AuditOutcome.DENIED


class ReviewNotFoundError(ReviewError):
    status_code = 404
    audit_outcome = AuditOutcome.NOT_FOUND


class ReviewConflictError(ReviewError):
    """The action no longer fits the review's state (submitted twice, scorecard changed)."""

    status_code = 409
