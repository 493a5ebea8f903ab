"""The documented example followup (get-followup-page.txt), defined once: as GetBill sends it
(JSON) and as the client returns it (`Followup`)."""

import copy
from datetime import datetime
from typing import Any

from followups.getbill import Followup

FOLLOWUP_ID = "abc123def456"
DEBT_ID = "xyz789ghi012"
AUDIO_URL = "https://s3.amazonaws.com/bucket/recordings/call_789456.mp3?X-Amz-Signature=0123abcd"

FOLLOWUP_EXAMPLE_JSON: dict[str, Any] = {
    "id": FOLLOWUP_ID,
    "debt_id": DEBT_ID,
    "status": "deal_found",
    "type": "call",
    "call_date": "2024-01-22T10:30:00+00:00",
    "scheduled_at": "2024-01-22T10:00:00+00:00",
    "summary": "Successfully contacted debtor, agreed to payment plan",
    "notes": (
        "Customer was cooperative and agreed to pay €500 monthly starting February 1st. "
        "Will send payment schedule by email."
    ),
    "call_id": "call_789456",
    "audio_url": AUDIO_URL,
    "pdf_url": None,
    "duration_ms": 180000,
    "disconnection_reason": "completed_successfully",
    "direction": "outbound",
    "phone_number_used": "+33800123456",
    "is_retry": False,
    "processed_at": "2024-01-22T10:35:00+00:00",
    "triggered_payment": True,
    "email_opened": False,
    "email_open_count": 0,
    "email_first_opened_at": None,
    "email_clicked": False,
    "email_click_count": 0,
    "media_urls_expire_at": "2024-01-22T11:35:00+00:00",
}
_DATETIME_FIELDS = (
    "call_date",
    "scheduled_at",
    "processed_at",
    "email_first_opened_at",
    "media_urls_expire_at",
)


def followup_json(**overrides: Any) -> dict[str, Any]:
    """The example as GetBill sends it, with `overrides` (datetimes are sent in ISO format)."""
    sent = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in overrides.items()
    }
    return {**copy.deepcopy(FOLLOWUP_EXAMPLE_JSON), **sent}


def followup_envelope(**overrides: Any) -> dict[str, Any]:
    """GET /followups/{id}'s success answer for the example, with `overrides` in its data."""
    return {"error": False, "message": "Success", "data": followup_json(**overrides)}


def followup_make(**overrides: Any) -> Followup:
    """The example as the client returns it, with `overrides` (Python values)."""
    values: dict[str, Any] = dict(FOLLOWUP_EXAMPLE_JSON)
    for name in _DATETIME_FIELDS:
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    return Followup(**{**values, **overrides})
