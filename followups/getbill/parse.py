"""The one place GetBill's answers are read: JSON bodies, error messages, followups and pages.

Answers are checked before being believed: anything but a well-formed success for the ID that
was asked for is an upstream failure (UpstreamFailureError). Only field names and IDs are
logged, never values: they may be personal data or signed URLs.

Every value from GetBill goes through one of the readers of `readers.py` (integers, moments,
text), so that no template, filter or later computation ever sees a raw value.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from followups.getbill.errors import UpstreamFailureError, UpstreamWrongAnswerError
from followups.getbill.ids import id_is_valid
from followups.getbill.media_urls import MAX_MEDIA_URL_LENGTH
from followups.getbill.models import Followup, FollowupPage, Pagination
from followups.getbill.readers import datetime_read, int_read, text_clean

logger = logging.getLogger(__name__)

# --- Fields -----------------------------------------------------------------------------------

INVALID = object()
# Free text can be long; labels, codes and numbers never are. Longer text is cut, not refused.
LONG_TEXT_MAX_LENGTH = 10_000
SHORT_TEXT_MAX_LENGTH = 200
# No call lasts a day: a longer duration is junk, and the player computes with it.
MAX_DURATION_MS = 24 * 3600 * 1000


def _text_parser(max_length: int) -> Callable[[object], object]:
    def parse(value: object) -> object:
        return text_clean(value, max_length=max_length) if isinstance(value, str) else INVALID

    return parse


def _media_url_parse(value: object) -> object:
    # A signed link is used as it is (cleaning would break its signature); one that is not
    # plain printable ASCII is no link the page could use. Which hosts are allowed is decided
    # where the page is built (media_urls.py).
    if not isinstance(value, str) or len(value) > MAX_MEDIA_URL_LENGTH:
        return INVALID
    return value if value.isascii() and value.isprintable() else INVALID


def _debt_id_parse(value: object) -> object:
    # Used to build links to the debt's page: only a well-formed ID is kept.
    return value if id_is_valid(value) else INVALID


def _datetime_parse(value: object) -> object:
    moment = datetime_read(value)
    return INVALID if moment is None else moment


def count_parse(value: object) -> object:
    count = int_read(value)
    return INVALID if count is None else count


def _duration_parse(value: object) -> object:
    duration = int_read(value)
    return INVALID if duration is None or duration > MAX_DURATION_MS else duration


def bool_parse(value: object) -> object:
    return value if isinstance(value, bool) else INVALID


_short_text_parse = _text_parser(SHORT_TEXT_MAX_LENGTH)
_long_text_parse = _text_parser(LONG_TEXT_MAX_LENGTH)

_FIELD_PARSERS: dict[str, Callable[[object], object]] = {
    "debt_id": _debt_id_parse,
    "status": _short_text_parse,
    "type": _short_text_parse,
    "call_date": _datetime_parse,
    "scheduled_at": _datetime_parse,
    "processed_at": _datetime_parse,
    "summary": _long_text_parse,
    "notes": _long_text_parse,
    "call_id": _short_text_parse,
    "audio_url": _media_url_parse,
    "pdf_url": _media_url_parse,
    "duration_ms": _duration_parse,
    "disconnection_reason": _short_text_parse,
    "direction": _short_text_parse,
    "phone_number_used": _short_text_parse,
    "is_retry": bool_parse,
    "triggered_payment": bool_parse,
    "email_opened": bool_parse,
    "email_open_count": count_parse,
    "email_first_opened_at": _datetime_parse,
    "email_clicked": bool_parse,
    "email_click_count": count_parse,
    "media_urls_expire_at": _datetime_parse,
}


FieldParsers = Mapping[str, tuple[str, Callable[[object], object]]]


def fields_read(
    *, data: Mapping[str, Any], parsers: FieldParsers
) -> tuple[dict[str, Any], list[str]]:
    """The values of GetBill's object `data` for each field of `parsers` (field -> (GetBill's
    key, parser)), and the names of those whose value was unusable (then None)."""
    values: dict[str, Any] = {}
    invalid = []
    for name, (source, parse) in parsers.items():
        raw = data.get(source)
        value = None if raw is None else parse(raw)
        if value is INVALID:
            invalid.append(name)
            value = None
        values[name] = value
    return values, invalid


def invalid_fields_log(*, what: str, object_id: str, invalid: list[str]) -> None:
    """Say which fields of GetBill's object were unusable; only their names: values may be
    personal data or signed URLs."""
    if invalid:
        logger.warning(
            "GetBill %s %s: unexpected type or format for %s; shown as unknown",
            what,
            object_id,
            ", ".join(invalid),
        )


_FOLLOWUP_FIELDS: FieldParsers = {name: (name, parse) for name, parse in _FIELD_PARSERS.items()}


def followup_parse(*, data: Mapping[str, Any]) -> Followup:
    """A Followup from GetBill's object, whose `id` the caller has checked.

    Unknown enum strings are kept as they are; a value of the wrong type becomes None and is
    listed in `invalid_fields`.
    """
    values, invalid = fields_read(data=data, parsers=_FOLLOWUP_FIELDS)
    invalid_fields_log(what="followup", object_id=data["id"], invalid=invalid)
    return Followup(id=data["id"], invalid_fields=frozenset(invalid), **values)


# --- Answers ----------------------------------------------------------------------------------


def success_data(payload: Mapping[str, Any]) -> object:
    if payload.get("error") is not False:
        logger.warning("GetBill answered 200 without a success envelope")
        raise UpstreamFailureError()
    return payload.get("data")


def _count_field(value: object, *, minimum: int) -> int:
    count = int_read(value, minimum=minimum)
    if count is None:
        raise UpstreamFailureError()
    return count


def followup_answer_parse(*, payload: Mapping[str, Any], followup_id: str) -> Followup:
    """The followup in GET /followups/{id}'s success payload, which must be `followup_id`'s."""
    data = success_data(payload)
    if not isinstance(data, dict) or not id_is_valid(data.get("id")):
        logger.warning("GetBill answered for followup %s without a valid id", followup_id)
        raise UpstreamFailureError()
    if data["id"] != followup_id:
        logger.warning("GetBill answered for a followup other than %s", followup_id)
        raise UpstreamWrongAnswerError(subject="followup")
    return followup_parse(data=data)


def _page_parse(
    *, payload: Mapping[str, Any], page: int, what: str, debt_id: str | None
) -> FollowupPage:
    """Page `page` of a paginated list of followups; with `debt_id`, every item that debt's.
    `what` names the list in log lines."""
    data = success_data(payload)
    raw_pagination = payload.get("pagination")
    if not isinstance(data, list) or not isinstance(raw_pagination, dict):
        logger.warning("GetBill %s: not a paginated list", what)
        raise UpstreamFailureError()
    pagination = Pagination(
        total=_count_field(raw_pagination.get("total"), minimum=0),
        page=_count_field(raw_pagination.get("page"), minimum=1),
        limit=_count_field(raw_pagination.get("limit"), minimum=1),
        pages=_count_field(raw_pagination.get("pages"), minimum=0),
    )
    if pagination.page != page or len(data) > pagination.limit or len(data) > pagination.total:
        logger.warning("GetBill %s: pagination does not match", what)
        raise UpstreamFailureError()
    for item in data:
        if not isinstance(item, dict) or not id_is_valid(item.get("id")):
            logger.warning("GetBill %s: an item has no valid id", what)
            raise UpstreamFailureError()
        if debt_id is not None and item.get("debt_id") != debt_id:
            logger.warning("GetBill %s: an item of another debt", what)
            raise UpstreamWrongAnswerError(subject="debt")
    return FollowupPage(
        followups=tuple(followup_parse(data=item) for item in data), pagination=pagination
    )


def followup_page_parse(*, payload: Mapping[str, Any], debt_id: str, page: int) -> FollowupPage:
    """Page `page` of GET /followups/debt/{id}'s success payload: every item `debt_id`'s."""
    return _page_parse(
        payload=payload, page=page, what=f"followups of debt {debt_id}", debt_id=debt_id
    )


def followups_list_parse(
    *, payload: Mapping[str, Any], page: int, filters: Mapping[str, str]
) -> FollowupPage:
    """Page `page` of GET /followups's success payload; every item must match `filters`
    (`status`, `type`): a list that ignored them would show followups the user did not ask for.
    """
    followups = _page_parse(payload=payload, page=page, what="followups list", debt_id=None)
    for followup in followups.followups:
        for name, value in filters.items():
            if getattr(followup, name) != value:
                logger.warning("GetBill followups list: an item does not match its %s", name)
                raise UpstreamFailureError()
    return followups
