"""What the reviews app uses of the followups app, in one place: its home may move, its public
names stay."""

from followups.access import user_may
from followups.admin import csv_cell_safe
from followups.audit import audit_record
from followups.getbill import InvalidIdError, getbill_id_clean
from followups.models import AuditAction, AuditOutcome

__all__ = [
    "AuditAction",
    "AuditOutcome",
    "InvalidIdError",
    "audit_record",
    "csv_cell_safe",
    "getbill_id_clean",
    "user_may",
]
