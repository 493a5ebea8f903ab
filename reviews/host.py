"""What the reviews app uses of the followups app, in one place: its home may move, its public
names stay."""

from followups.access import user_may
from followups.audit import audit_record
from followups.csv_export import csv_lines, csv_response
from followups.getbill import InvalidIdError, getbill_id_clean
from followups.models import AuditAction, AuditOutcome
from followups.moments import MOMENT_MAX_SECONDS, MomentError, moment_format, moment_parse

__all__ = [
    "MOMENT_MAX_SECONDS",
    "AuditAction",
    "AuditOutcome",
    "InvalidIdError",
    "MomentError",
    "audit_record",
    "csv_lines",
    "csv_response",
    "getbill_id_clean",
    "moment_format",
    "moment_parse",
    "user_may",
]
