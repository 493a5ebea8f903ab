"""Reading GetBill's debt: the amount is what GetBill wrote, or unknown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.getbill.parse_debt import MAX_AMOUNT, debt_parse
from tests.support.examples import DEBT_ID


def _amount(**fields: object) -> tuple[Decimal | None, bool]:
    debt = debt_parse(data={"id": DEBT_ID, **fields})
    return debt.amount, "amount" in debt.invalid_fields


@pytest.mark.parametrize(
    ("amount_text", "expected"),
    [("1250.00", Decimal("1250")), ("-12.5", Decimal("-12.5")), ("0.1234", Decimal("0.1234"))],
)
def test_amount_text_in_ascii_digits_is_read(amount_text: str, expected: Decimal):
    assert _amount(amount_text=amount_text) == (expected, False)


@pytest.mark.parametrize(
    "amount_text",
    # Decimal() reads all of these as numbers: Arabic-Indic and full-width digits,
    # underscores, surrounding spaces, exponents, NaN, a point alone.
    ["١٢٥٠", "\uff11\uff12", "1_250", " 12 ", "1E-999999999", "1e3", "NaN", "+5", ".", ""],
)
def test_amount_text_in_another_shape_is_unknown(amount_text: str):
    assert _amount(amount_text=amount_text) == (None, True)


def test_minus_zero_is_zero():
    for field, value in (("amount_text", "-0"), ("amount", -0.0)):
        amount, _ = _amount(**{field: value})
        assert amount == 0
        assert amount is not None
        assert not amount.is_signed()


@given(value=st.one_of(st.floats(), st.integers(), st.decimals().map(str), st.text(max_size=30)))
def test_any_amount_is_unknown_or_a_bounded_figure(value: object):
    field = "amount_text" if isinstance(value, str) else "amount"
    amount, invalid = _amount(**{field: value})
    assert (amount is None) == invalid
    if amount is not None:
        assert amount.is_finite()
        assert abs(amount) < MAX_AMOUNT
        assert amount.as_tuple().exponent >= -8  # type: ignore[operator]
