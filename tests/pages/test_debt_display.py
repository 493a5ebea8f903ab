"""Money, debt statuses and debtors' names as people read them."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from followups.debt_display import (
    DEBT_STATUSES,
    debt_status_display,
    debtor_name_compose,
    money_format,
    name_initials,
)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("482.60", "EUR", "€482.60"),
        ("1250", "EUR", "€1,250.00"),
        ("112.4", "GBP", "£112.40"),
        ("1000", "JPY", "¥1,000"),
        ("2450.00", "DKK", "DKK2,450.00"),
        ("12.5", "euro", "12.50 euro"),
        ("12.5", "", "12.50"),
        ("12.5", None, "12.50"),
    ],
)
def test_money_in_english(amount: str, currency: str | None, shown: str):
    with translation.override("en-us"):
        assert money_format(amount=Decimal(amount), currency=currency) == shown


def test_money_follows_the_active_language():
    with translation.override("fr"):
        assert money_format(amount=Decimal("1250"), currency="EUR") == "1\u202f250,00\xa0€"
    with translation.override("de"):
        assert money_format(amount=Decimal("1250"), currency="EUR") == "1.250,00\xa0€"


def test_no_amount_is_nothing():
    assert money_format(amount=None, currency="EUR") is None


@given(
    amount=st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12
    ),
    currency=st.one_of(st.none(), st.text(max_size=12)),
)
def test_any_amount_and_currency_from_getbill_formats(amount: Decimal, currency: str | None):
    shown = money_format(amount=amount, currency=currency)
    assert shown is not None
    assert any(char.isdigit() for char in shown)


def test_every_default_status_reads_in_words():
    for value, (label, _tone) in DEBT_STATUSES.items():
        shown = debt_status_display(status=value)
        assert shown is not None
        assert shown.known
        assert shown.label == label
        assert not shown.label.startswith("status.")
    assert len(DEBT_STATUSES) == 11


@pytest.mark.parametrize("status", ["status.custom.supervisor_review", "Legal partner", "x" * 90])
def test_custom_statuses_are_shown_as_they_are(status: str):
    shown = debt_status_display(status=status)
    assert shown is not None
    assert (shown.label, shown.tone, shown.known) == (status, "neutral", False)


def test_no_status():
    assert debt_status_display(status=None) is None
    assert debt_status_display(status="") is None


def test_names():
    assert (
        debtor_name_compose(civility="Ms", firstname="Amélie", lastname="Dubois", company=None)
        == "Ms Amélie Dubois"
    )
    assert (
        debtor_name_compose(
            civility="Mr", firstname="Jürgen", lastname="Müller", company="Müller & Söhne GmbH"
        )
        == "Mr Jürgen Müller (Müller & Söhne GmbH)"
    )
    assert (
        debtor_name_compose(civility=None, firstname=None, lastname=None, company="Boulangerie")
        == "Boulangerie"
    )
    assert debtor_name_compose(civility="Ms", firstname=" ", lastname=None, company="") is None


def test_initials_name_nobody():
    assert name_initials(name="Anaïs Moreau-Blanchard") == "A. M.-B."
    assert name_initials(name="Łukasz Brzęczyszczykiewicz") == "Ł. B."
    assert (
        debtor_name_compose(
            civility="Mr",
            firstname="Jürgen",
            lastname="Müller",
            company="Müller & Söhne GmbH",
            initials_only=True,
        )
        == "J. M. (M. S. G.)"
    )


@given(st.text(max_size=60))
def test_initials_keep_no_whole_word(name: str):
    initials = name_initials(name=name)
    for word in initials.split():
        assert all(len(piece.rstrip(".")) <= 1 for piece in word.split("-"))
