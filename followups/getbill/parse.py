"""The one place GetBill's answers are read: JSON bodies, error messages, followups and pages.

Answers are checked before being believed: anything but a well-formed success for the ID that
was asked for is an upstream failure (UpstreamFailureError). Only field names and IDs are
logged, never values: they may be personal data or signed URLs.
"""

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from followups.getbill.errors import UpstreamFailureError
from followups.getbill.ids import id_is_valid
from followups.getbill.models import Followup, FollowupPage, Pagination

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 200

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        payload = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def message_clean(message: object) -> str | None:
    """GetBill's error message, made safe to show: one line, no control characters, capped."""
    if not isinstance(message, str):
        return None
    message = " ".join(_CONTROL_RE.sub(" ", message).split())
    if len(message) > MAX_MESSAGE_LENGTH:
        message = message[: MAX_MESSAGE_LENGTH - 1].rstrip() + "…"
    return message or None


# --- Fields -----------------------------------------------------------------------------------

_INVALID = object()


def _str_parse(value: object) -> object:
    return value if isinstance(value, str) else _INVALID


def _debt_id_parse(value: object) -> object:
    # Used to build links to the debt's page: only a well-formed ID is kept.
    return value if id_is_valid(value) else _INVALID


def _datetime_parse(value: object) -> object:
    if not isinstance(value, str) or len(value) > 64:
        return _INVALID
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _INVALID
    # Without an offset the moment is ambiguous; "unknown" beats a wrong time.
    return parsed if parsed.tzinfo is not None else _INVALID


def _count_parse(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return _INVALID
    return value


def _bool_parse(value: object) -> object:
    return value if isinstance(value, bool) else _INVALID


_FIELD_PARSERS: dict[str, Callable[[object], object]] = {
    "debt_id": _debt_id_parse,
    "status": _str_parse,
    "type": _str_parse,
    "call_date": _datetime_parse,
    "scheduled_at": _datetime_parse,
    "processed_at": _datetime_parse,
    "summary": _str_parse,
    "notes": _str_parse,
    "call_id": _str_parse,
    "audio_url": _str_parse,
    "pdf_url": _str_parse,
    "duration_ms": _count_parse,
    "disconnection_reason": _str_parse,
    "direction": _str_parse,
    "phone_number_used": _str_parse,
    "is_retry": _bool_parse,
    "triggered_payment": _bool_parse,
    "email_opened": _bool_parse,
    "email_open_count": _count_parse,
    "email_first_opened_at": _datetime_parse,
    "email_clicked": _bool_parse,
    "email_click_count": _count_parse,
    "media_urls_expire_at": _datetime_parse,
}


def followup_parse(*, data: Mapping[str, Any]) -> Followup:
    """A Followup from GetBill's object, whose `id` the caller has checked.

    Unknown enum strings are kept as they are; a value of the wrong type becomes None and is
    listed in `invalid_fields`.
    """
    values: dict[str, Any] = {}
    invalid = []
    for name, parse in _FIELD_PARSERS.items():
        raw = data.get(name)
        value = None if raw is None else parse(raw)
        if value is _INVALID:
            invalid.append(name)
            value = None
        values[name] = value
    if invalid:
        logger.warning(
            "GetBill followup %s: unexpected type or format for %s; shown as unknown",
            data["id"],
            ", ".join(invalid),
        )
    return Followup(id=data["id"], invalid_fields=frozenset(invalid), **values)


# --- Answers ----------------------------------------------------------------------------------


def _success_data(payload: Mapping[str, Any]) -> object:
    if payload.get("error") is not False:
        logger.warning("GetBill answered 200 without a success envelope")
        raise UpstreamFailureError()
    return payload.get("data")


def _count_field(value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UpstreamFailureError()
    return value


def followup_answer_parse(*, payload: Mapping[str, Any], followup_id: str) -> Followup:
    """The followup in GET /followups/{id}'s success payload, which must be `followup_id`'s."""
    data = _success_data(payload)
    if not isinstance(data, dict) or data.get("id") != followup_id:
        logger.warning("GetBill answered for a followup other than %s", followup_id)
        raise UpstreamFailureError()
    return followup_parse(data=data)


def followup_page_parse(*, payload: Mapping[str, Any], debt_id: str, page: int) -> FollowupPage:
    """Page `page` of GET /followups/debt/{id}'s success payload: every item `debt_id`'s."""
    data = _success_data(payload)
    raw_pagination = payload.get("pagination")
    if not isinstance(data, list) or not isinstance(raw_pagination, dict):
        logger.warning("GetBill followups of debt %s: not a paginated list", debt_id)
        raise UpstreamFailureError()
    pagination = Pagination(
        total=_count_field(raw_pagination.get("total"), minimum=0),
        page=_count_field(raw_pagination.get("page"), minimum=1),
        limit=_count_field(raw_pagination.get("limit"), minimum=1),
        pages=_count_field(raw_pagination.get("pages"), minimum=0),
    )
    if pagination.page != page or len(data) > pagination.limit or len(data) > pagination.total:
        logger.warning("GetBill followups of debt %s: pagination does not match", debt_id)
        raise UpstreamFailureError()
    for item in data:
        if not isinstance(item, dict) or not id_is_valid(item.get("id")):
            logger.warning("GetBill followups of debt %s: an item has no valid id", debt_id)
            raise UpstreamFailureError()
        if item.get("debt_id") != debt_id:
            logger.warning("GetBill followups of debt %s: an item of another debt", debt_id)
            raise UpstreamFailureError()
    return FollowupPage(
        followups=tuple(followup_parse(data=item) for item in data), pagination=pagination
    )
