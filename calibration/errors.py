"""The refusals of calibration sessions, in the application's error hierarchy."""

from __future__ import annotations

from followups.errors import AppError
from followups.models import AuditOutcome


class CalibrationError(AppError):
    """A refused calibration action; audited as rejected input unless a subclass says
    otherwise."""

    title = "That cannot be done"


class CalibrationDeniedError(CalibrationError):
    status_code = 403
    audit_outcome = AuditOutcome.DENIED
    title = "Not allowed"


class CalibrationNotFoundError(CalibrationError):
    status_code = 404
    audit_outcome = AuditOutcome.NOT_FOUND
    title = "Not found"


class CalibrationConflictError(CalibrationError):
    """The action no longer fits the session's state (answered twice, closed)."""

    status_code = 409
