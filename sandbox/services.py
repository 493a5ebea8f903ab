"""The sandbox's external API: who may call, the deliberate faults, pages and payloads.

Views stay thin: everything GetBill-like about an answer (status codes, messages, the error
shape, the rate-limit bookkeeping, the fault IDs) is decided here.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES
from sandbox.data import (
    EXAMPLES,
    FAULT_IDS,
    FOLLOWUP_MEDIA,
    SANDBOX_FOLLOWUPS,
    debt_followups_find,
    followup_find,
)
from sandbox.debt_data import SANDBOX_DEBT_RECORDS, debt_find
from sandbox.live import live_followup_find, live_followups, live_media
from sandbox.presign import media_url_sign
from sandbox.state import RateLimitWindow, rate_limit_hit
from sandbox.tokens import token_claims_read

# The scope each part of the API needs, as GetBill's reference pages say.
FOLLOWUPS_SCOPE = "followups:read"
DEBTS_SCOPE = "debts:read"
UNAUTHENTICATED_MESSAGE = "Authentication credentials are missing or invalid"
RATE_LIMITED_MESSAGE = "Rate limit exceeded. Please try again later."
FAULT_RETRY_AFTER_SECONDS = 30
MAX_LIMIT = 100
DEFAULT_LIMIT = 20

_BAD_GATEWAY_HTML = b"""<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
# A body cut off mid-way, as a dropped connection behind a proxy can leave it.
_TRUNCATED_JSON = (
    b'{"error": false, "message": "Success", "data": {"id": "fault-malformed-json", '
    b'"debt_id": "XMC5W6P1jCbQ", "status": "deal_fo'
)
# Every field present, about half of them with a type the documentation does not allow.
_WRONG_TYPES_RECORD: dict[str, Any] = {
    "id": FAULT_IDS["wrong_types"],
    "debt_id": FAULT_IDS["wrong_types"],
    "status": 7,
    "type": "call",
    "call_date": "last Tuesday",
    "scheduled_at": 1_700_000_000,
    "summary": ["Summary", "as", "a", "list"],
    "notes": {"text": "Notes as an object"},
    "call_id": "call_0000",
    "audio_url": 42,
    "pdf_url": None,
    "duration_ms": "3 minutes",
    "disconnection_reason": None,
    "direction": "outbound",
    "phone_number_used": 33_199_004_127,
    "is_retry": "no",
    "processed_at": "2024-13-45T99:99:99+00:00",
    "triggered_payment": "true",
    "email_opened": 0,
    "email_open_count": "many",
    "email_first_opened_at": False,
    "email_clicked": None,
    "email_click_count": 2.5,
    "media_urls_expire_at": "soon",
}


class ApiError(Exception):
    """An answer in GetBill's error shape: {"error": true, "message", "code", "details"?}."""

    def __init__(
        self,
        *,
        status_code: int,
        message: str,
        details: dict[str, Any] | None = None,
        window: RateLimitWindow | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.details = details
        self.window = window
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": True, "message": self.message, "code": self.status_code}
        if self.details is not None:
            body["details"] = self.details
        return body


@dataclass(frozen=True)
class RawAnswer:
    """A deliberately broken upstream answer, sent as is."""

    status_code: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class FollowupsPage:
    records: list[dict[str, Any]]
    pagination: dict[str, int]


def _rate_limit_settings() -> tuple[int, int]:
    return (
        int(getattr(settings, "SANDBOX_RATE_LIMIT", 1000)),
        int(getattr(settings, "SANDBOX_RATE_WINDOW_SECONDS", 3600)),
    )


def _iso(unix_time: float) -> str:
    return datetime.fromtimestamp(int(unix_time), UTC).isoformat()


def _rate_limited(*, window: RateLimitWindow) -> ApiError:
    return ApiError(
        status_code=429,
        message=RATE_LIMITED_MESSAGE,
        details={
            "retry_after": window.retry_after,
            "limit": window.limit,
            "reset_time": _iso(math.ceil(window.reset_at)),
        },
        window=window,
    )


def rate_limit_headers(*, window: RateLimitWindow) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(window.limit),
        "X-RateLimit-Remaining": str(window.remaining),
        "X-RateLimit-Reset": str(math.ceil(window.reset_at)),
        "X-RateLimit-Window": str(window.window_seconds),
    }


def api_request_admit(*, authorization: str, remote_addr: str, scope: str) -> RateLimitWindow:
    """Check the bearer token, count the request against its client's quota, check `scope`.

    Requests without a valid token are counted per address, so their answers carry rate-limit
    headers too; they are refused with a 401 either way.
    """
    scheme, _, token = authorization.strip().partition(" ")
    claims = token_claims_read(token=token.strip()) if scheme.lower() == "bearer" else None
    limit, window_seconds = _rate_limit_settings()
    window = rate_limit_hit(
        key=f"client:{claims.client_id}" if claims else f"address:{remote_addr}",
        limit=limit,
        window_seconds=window_seconds,
    )
    if claims is None:
        challenge = 'Bearer realm="GetBill"'
        if token:
            challenge += ', error="invalid_token"'
        raise ApiError(
            status_code=401,
            message=UNAUTHENTICATED_MESSAGE,
            window=window,
            headers={"WWW-Authenticate": challenge},
        )
    if not window.allowed:
        raise _rate_limited(window=window)
    if scope not in claims.scopes:
        raise ApiError(
            status_code=403,
            message=f'Required scope "{scope}" not found in token',
            window=window,
        )
    return window


def _fault_answer(*, resource_id: str, noun: str) -> RawAnswer | None:
    """Misbehave as FAULT_IDS says: raise an ApiError, return a raw answer, or sleep."""
    if resource_id == FAULT_IDS["forbidden"]:
        raise ApiError(status_code=403, message=f"Access denied to this {noun}")
    if resource_id == FAULT_IDS["not_found"]:
        raise ApiError(status_code=404, message=f"{noun.capitalize()} not found")
    if resource_id == FAULT_IDS["rate_limited"]:
        limit, window_seconds = _rate_limit_settings()
        raise _rate_limited(
            window=RateLimitWindow(
                allowed=False,
                limit=limit,
                remaining=0,
                window_seconds=window_seconds,
                reset_at=time.time() + FAULT_RETRY_AFTER_SECONDS,
                retry_after=FAULT_RETRY_AFTER_SECONDS,
            )
        )
    if resource_id == FAULT_IDS["server_error"]:
        raise ApiError(status_code=500, message="Internal server error")
    if resource_id == FAULT_IDS["bad_gateway_html"]:
        return RawAnswer(status_code=502, content_type="text/html", body=_BAD_GATEWAY_HTML)
    if resource_id == FAULT_IDS["malformed_json"]:
        return RawAnswer(status_code=200, content_type="application/json", body=_TRUNCATED_JSON)
    if resource_id == FAULT_IDS["slow"]:
        time.sleep(float(getattr(settings, "SANDBOX_SLOW_SECONDS", 30)))
    return None


def _slow_record() -> dict[str, Any]:
    """What the slow fault finally answers: a valid followup under the fault's own IDs."""
    example = followup_find(followup_id=EXAMPLES["call_deal_found"])
    assert example is not None
    return {**example, "id": FAULT_IDS["slow"], "debt_id": FAULT_IDS["slow"]}


def _record_fetch(
    *,
    resource_id: str,
    noun: str,
    find: Callable[[str], dict[str, Any] | None],
    slow: Callable[[], dict[str, Any]],
    wrong_types: dict[str, Any],
    stand_in_id: str,
) -> dict[str, Any] | RawAnswer:
    """The record of GET /<noun>s/{id} (followups without media URLs), or the fault its ID
    asks for: `slow` is what the slow fault finally answers, `stand_in_id` the other record the
    wrong-id fault answers with."""
    raw = _fault_answer(resource_id=resource_id, noun=noun)
    if raw is not None:
        return raw
    if resource_id == FAULT_IDS["slow"]:
        return slow()
    if resource_id == FAULT_IDS["wrong_types"]:
        return wrong_types
    if resource_id == FAULT_IDS["wrong_id"]:
        # Another record than the one asked for: a client must notice and refuse it.
        resource_id = stand_in_id
    record = find(resource_id)
    if record is None:
        raise ApiError(status_code=404, message=f"{noun.capitalize()} not found")
    return record


def followup_fetch(*, followup_id: str) -> dict[str, Any] | RawAnswer:
    """The followup record for GET /followups/{id} (without media URLs), or a fault."""
    return _record_fetch(
        resource_id=followup_id,
        noun="followup",
        find=lambda record_id: (
            followup_find(followup_id=record_id) or live_followup_find(followup_id=record_id)
        ),
        slow=_slow_record,
        wrong_types=_WRONG_TYPES_RECORD,
        stand_in_id=EXAMPLES["call_deal_found"],
    )


# Every field present, about half of them with a type the documentation does not allow.
_WRONG_TYPES_DEBT: dict[str, Any] = {
    "id": FAULT_IDS["wrong_types"],
    "civility": 3,
    "firstname": ["Not", "a", "name"],
    "lastname": None,
    "debtor_company": {"name": "an object"},
    "company": "Northwind Energy",
    "amount": "a lot",
    "amount_text": 12.5,
    "currency": 978,
    "status": True,
    "object": "Electricity invoice",
    "invoice_reference": 4471,
    "due_date": "next Friday",
    "invoice_date": "2024-02-30",
    "followups_count": "eight",
    "nb_answered": -1,
    "nb_reminders": 2.5,
    "payment_plan_active": "yes",
    "plan_start_date": 20240101,
}


def debt_fetch(*, debt_id: str) -> dict[str, Any] | RawAnswer:
    """The debt record for GET /debts/{id}, or a fault."""
    history = EXAMPLES["debt_with_history"]
    return _record_fetch(
        resource_id=debt_id,
        noun="debt",
        find=lambda record_id: debt_find(debt_id=record_id),
        slow=lambda: {**SANDBOX_DEBT_RECORDS[history], "id": FAULT_IDS["slow"]},
        wrong_types=_WRONG_TYPES_DEBT,
        stand_in_id=history,
    )


def _int_param(
    *, query: QueryDict, name: str, default: int, maximum: int | None, errors: dict[str, list[str]]
) -> int:
    """The parameter as an integer from 1 to `maximum`; a bad value is recorded in `errors`."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        value = int(raw)
        if value >= 1 and (maximum is None or value <= maximum):
            return value
    bounds = f"between 1 and {maximum}" if maximum else "of at least 1"
    errors[name] = [f"The {name} must be an integer {bounds}."]
    return default


def _filter_param(
    *, query: QueryDict, name: str, allowed: set[str], errors: dict[str, list[str]]
) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        errors[name] = [f"The {name} must be one of: {', '.join(sorted(allowed))}."]
    return raw


def _paginate(*, records: list[dict[str, Any]], page: int, limit: int) -> FollowupsPage:
    start = (page - 1) * limit
    return FollowupsPage(
        records=records[start : start + limit],
        pagination={
            "total": len(records),
            "page": page,
            "limit": limit,
            "pages": math.ceil(len(records) / limit),
        },
    )


def _page_params(*, query: QueryDict, errors: dict[str, list[str]]) -> tuple[int, int]:
    page = _int_param(query=query, name="page", default=1, maximum=None, errors=errors)
    limit = _int_param(
        query=query, name="limit", default=DEFAULT_LIMIT, maximum=MAX_LIMIT, errors=errors
    )
    return page, limit


def _validation_failed(*, errors: dict[str, list[str]]) -> ApiError:
    return ApiError(status_code=400, message="Validation failed", details=errors)


def debt_followups_fetch(*, debt_id: str, query: QueryDict) -> FollowupsPage | RawAnswer:
    """A page of GET /followups/debt/{debtId}, newest first, or a fault."""
    errors: dict[str, list[str]] = {}
    page, limit = _page_params(query=query, errors=errors)
    if errors:
        raise _validation_failed(errors=errors)
    raw = _fault_answer(resource_id=debt_id, noun="debt")
    if raw is not None:
        return raw
    if debt_id == FAULT_IDS["slow"]:
        records: list[dict[str, Any]] | None = [_slow_record()]
    elif debt_id == FAULT_IDS["wrong_types"]:
        records = [_WRONG_TYPES_RECORD]
    elif debt_id == FAULT_IDS["wrong_id"]:
        # Another debt's followups: their debt_id gives the mix-up away.
        records = debt_followups_find(debt_id=EXAMPLES["debt_with_history"])
    else:
        records = debt_followups_find(debt_id=debt_id)
        if records is not None:
            # The live sandbox's calls (newest of all) come first.
            records = [r for r in live_followups() if r["debt_id"] == debt_id] + records
    if records is None:
        raise ApiError(status_code=404, message="Debt not found")
    return _paginate(records=records, page=page, limit=limit)


# Filters accept the documented values and any value the data holds, as a newer API would.
_STATUS_VALUES = set(FOLLOWUP_STATUSES) | {r["status"] for r in SANDBOX_FOLLOWUPS if "status" in r}
_TYPE_VALUES = set(FOLLOWUP_TYPES) | {r["type"] for r in SANDBOX_FOLLOWUPS if "type" in r}


def followups_list(*, query: QueryDict) -> FollowupsPage:
    """A page of GET /followups, filtered by `status` and `type`, newest first."""
    errors: dict[str, list[str]] = {}
    page, limit = _page_params(query=query, errors=errors)
    status = _filter_param(query=query, name="status", allowed=_STATUS_VALUES, errors=errors)
    type_ = _filter_param(query=query, name="type", allowed=_TYPE_VALUES, errors=errors)
    if errors:
        raise _validation_failed(errors=errors)
    records = [
        r
        for r in live_followups() + SANDBOX_FOLLOWUPS
        if (status is None or r.get("status") == status)
        and (type_ is None or r.get("type") == type_)
    ]
    return _paginate(records=records, page=page, limit=limit)


def followup_present(
    *, record: dict[str, Any], absolute_uri: Callable[[str], str], now: float | None = None
) -> dict[str, Any]:
    """The record as the API sends it: media URLs freshly signed for the caller's origin."""
    media = FOLLOWUP_MEDIA.get(record.get("id", "")) or live_media(followup_id=record.get("id", ""))
    if not media:
        return record
    now = time.time() if now is None else now
    ttl = int(getattr(settings, "SANDBOX_MEDIA_URL_TTL_SECONDS", 3600))
    presented = dict(record)
    expires_at = 0
    for field, object_key in media.items():
        presented[field], expires_at = media_url_sign(
            path=reverse("sandbox:media", kwargs={"object_key": object_key}),
            absolute_uri=absolute_uri,
            now=now,
            ttl_seconds=ttl,
        )
    presented["media_urls_expire_at"] = _iso(expires_at)
    return presented
