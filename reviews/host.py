"""What the reviews app uses of the followups app, in one place: its home may move, its public
names stay."""

from followups.access import (
    LookupAudit,
    failures_audited,
    getbill_id_require,
    refused,
    user_may,
)
from followups.audit import audit_record
from followups.csv_export import csv_lines, csv_response
from followups.error_boundary import errors_rendered_by
from followups.errors import AppError
from followups.htmx import swaps, vary_on_htmx
from followups.models import AuditAction, AuditOutcome
from followups.moments import MOMENT_MAX_SECONDS, MomentError, moment_format, moment_parse

__all__ = [
    "MOMENT_MAX_SECONDS",
    "AppError",
    "AuditAction",
    "AuditOutcome",
    "LookupAudit",
    "MomentError",
    "audit_record",
    "csv_lines",
    "csv_response",
    "errors_rendered_by",
    "failures_audited",
    "getbill_id_require",
    "moment_format",
    "moment_parse",
    "refused",
    "swaps",
    "user_may",
    "vary_on_htmx",
]
