"""What the reviews app uses of the followups app, in one place: its home may move, its public
names stay."""

from followups.access import (
    LookupAudit,
    failures_audited,
    getbill_id_require,
    refused,
    user_may,
)
from followups.admin import csv_cell_safe
from followups.audit import audit_record
from followups.error_boundary import errors_rendered_by
from followups.errors import AppError
from followups.htmx import swaps, vary_on_htmx
from followups.models import AuditAction, AuditOutcome

__all__ = [
    "AppError",
    "AuditAction",
    "AuditOutcome",
    "LookupAudit",
    "audit_record",
    "csv_cell_safe",
    "errors_rendered_by",
    "failures_audited",
    "getbill_id_require",
    "refused",
    "swaps",
    "user_may",
    "vary_on_htmx",
]
