"""Reading GetBill's debt (GET /debts/{id}): only the fields a card shows, never the debtor's
contact details, through the same readers as every other answer (`parse.py`)."""

import logging
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from followups.getbill.errors import UpstreamFailureError, UpstreamWrongAnswerError
from followups.getbill.models import Debt
from followups.getbill.parse import (
    INVALID,
    SHORT_TEXT_MAX_LENGTH,
    FieldParsers,
    bool_parse,
    count_parse,
    fields_read,
    invalid_fields_log,
    success_data,
)
from followups.getbill.readers import text_clean

logger = logging.getLogger(__name__)

# Amounts beyond this are not debts but a broken field.
MAX_AMOUNT = Decimal(10) ** 15
# `amount_text` as GetBill's example writes it ("1250.00"): ASCII digits, a point, at most
# 8 decimals (the CLF has 4). Decimal() alone would also read "١٢٥٠", "1_250", "1E-999999" or
# " 12 " as numbers, showing a figure GetBill did not write.
_AMOUNT_TEXT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,8})?")


def _text_parse(value: object) -> object:
    """Text shown on one line of a card, cleaned like all of GetBill's text."""
    if not isinstance(value, str):
        return INVALID
    return text_clean(value, max_length=SHORT_TEXT_MAX_LENGTH, one_line=True) or None


def _date_parse(value: object) -> object:
    if not isinstance(value, str) or len(value) > 64:
        return INVALID
    try:
        # A timestamp is accepted too: only its day is shown.
        return date.fromisoformat(value[:10])
    except ValueError:
        return INVALID


def _amount_parse(value: object, *, as_text: bool) -> object:
    """`amount_text` (`as_text`) must be a string, `amount` a JSON number."""
    if as_text != isinstance(value, str) or isinstance(value, bool):
        return INVALID
    if not isinstance(value, str | int | float):
        return INVALID
    if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(value):
        return INVALID
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return INVALID
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        return INVALID
    # A JSON number as GetBill computed it (58.0, 0.30000000000000004), to the cent-and-more
    # a currency may have; "-0" is 0.
    return amount.quantize(Decimal("1e-8")).normalize() + 0 if amount else Decimal(0)


# The only fields of GetBill's debt the dashboard keeps: model field -> (GetBill field, parser).
# Anything else in the answer (phone, e-mail, birth date, postal address, IBAN, contacts, the
# free-text summary) is never copied.
_DEBT_FIELDS: FieldParsers = {
    "civility": ("civility", _text_parse),
    "firstname": ("firstname", _text_parse),
    "lastname": ("lastname", _text_parse),
    "debtor_company": ("debtor_company", _text_parse),
    "creditor": ("company", _text_parse),
    "currency": ("currency", _text_parse),
    "status": ("status", _text_parse),
    "invoice_reference": ("invoice_reference", _text_parse),
    "due_date": ("due_date", _date_parse),
    "payment_plan_active": ("payment_plan_active", bool_parse),
    "plan_start_date": ("plan_start_date", _date_parse),
    "followups_count": ("followups_count", count_parse),
    "answered_count": ("nb_answered", count_parse),
}


def _debt_amount(data: Mapping[str, Any]) -> object:
    """`amount_text`, the exact figure, else `amount` (a JSON number may have been rounded);
    None when GetBill sent neither, INVALID when neither reads as an amount."""
    sent = [(name, data[name]) for name in ("amount_text", "amount") if data.get(name) is not None]
    for name, value in sent:
        amount = _amount_parse(value, as_text=name == "amount_text")
        if amount is not INVALID:
            return amount
    return INVALID if sent else None


def debt_parse(*, data: Mapping[str, Any]) -> Debt:
    """A Debt from GetBill's object, whose `id` the caller has checked: the fields above only.

    Unknown statuses are kept as they are; a value of the wrong type becomes None and is listed
    in `invalid_fields`.
    """
    values, invalid = fields_read(data=data, parsers=_DEBT_FIELDS)
    amount = _debt_amount(data)
    if amount is INVALID:
        invalid.append("amount")
    values["amount"] = amount if isinstance(amount, Decimal) else None
    invalid_fields_log(what="debt", object_id=data["id"], invalid=invalid)
    return Debt(id=data["id"], invalid_fields=frozenset(invalid), **values)


def debt_answer_parse(*, payload: Mapping[str, Any], debt_id: str) -> Debt:
    """The debt in GET /debts/{id}'s success payload, which must be `debt_id`'s."""
    data = success_data(payload)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        logger.warning("GetBill answered for debt %s without a valid id", debt_id)
        raise UpstreamFailureError(subject="debt")
    if data["id"] != debt_id:
        logger.warning("GetBill answered for a debt other than %s", debt_id)
        raise UpstreamWrongAnswerError(subject="debt")
    return debt_parse(data=data)
