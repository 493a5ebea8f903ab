"""How a debt's values read for a person: money, the debt's status in words, the debtor's name.

Babel formats the money: Django's own number formatting knows thousands separators but not
currencies (symbol, its place and the currency's own number of decimals: €482.60, £112.40,
DKK 2,450.00, ¥1,000), which Babel takes from the Unicode CLDR data for every locale.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.utils import translation

from followups.values import StatusDisplay, Tone

# GetBill's documented default debt statuses (getbill-api.md section 5.5), worded for people.
# A company may define its own statuses; those are shown as GetBill sends them.
DEBT_STATUSES: dict[str, tuple[str, Tone]] = {
    "status.default.pending": ("Pending", "progress"),
    "status.default.in_progress": ("Collection in progress", "progress"),
    "status.default.processing": ("Processing", "progress"),
    "status.default.settled": ("Settled by a payment plan", "success"),
    "status.default.paid": ("Paid", "success"),
    "status.default.partial": ("Partly paid", "progress"),
    "status.default.failed": ("Collection failed", "failure"),
    "status.default.archived": ("Archived", "neutral"),
    "status.default.invalid_phone": ("Invalid contact details", "failure"),
    "status.default.on_hold": ("On hold (often a dispute)", "neutral"),
    "status.default.refused": ("Refused to pay", "failure"),
}

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# Letters that start a word of a name, for initials ("Moreau-Blanchard" gives "M.-B.").
_NAME_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def babel_locale() -> Locale:
    """The Babel locale of the active Django language (en-us -> en_US), English if unknown."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def money_format(*, amount: Decimal | None, currency: str | None) -> str | None:
    """`amount` in `currency` as people of the active language write it: €1,250.00.

    A currency that is not an ISO 4217 code is printed after the number as GetBill sent it,
    rather than guessed at; without a currency, the number alone.
    """
    if amount is None:
        return None
    locale = babel_locale()
    code = (currency or "").strip()
    if _CURRENCY_CODE.fullmatch(code):
        return str(format_currency(amount, code, locale=locale))
    number = str(format_decimal(amount, format="#,##0.00", locale=locale))
    return f"{number} {code}" if code else number


def debt_status_display(*, status: str | None) -> StatusDisplay | None:
    """The debt's status in words; a custom (or newer) status as it is, under a neutral tone."""
    if status is None or status == "":
        return None
    known = DEBT_STATUSES.get(status)
    if known is None:
        return StatusDisplay(value=status, label=status, tone="neutral", known=False)
    return StatusDisplay(value=status, label=known[0], tone=known[1], known=True)


def _initial(word: str) -> str:
    # Some letters grow when upper-cased ("ß" gives "SS"): those stay as they are.
    upper = word[0].upper()
    return upper if len(upper) == 1 else word[0]


def name_initials(*, name: str) -> str:
    """The initial of every word: "Amélie Dubois" -> "A. D.", "Moreau-Blanchard" -> "M.-B."."""
    words = []
    for part in name.split():
        pieces = [_initial(piece) + "." for piece in _NAME_WORD.findall(part)]
        if pieces:
            words.append("-".join(pieces))
    return " ".join(words)


def debtor_name_compose(
    *,
    civility: str | None,
    firstname: str | None,
    lastname: str | None,
    company: str | None,
    initials_only: bool = False,
) -> str | None:
    """The person's name (with civility), their company after it, or the company alone.

    `initials_only` keeps the initials of each (without the civility): enough to tell two
    debts apart in a list, not enough to name the person.
    """
    person = " ".join(part.strip() for part in (firstname, lastname) if part and part.strip())
    company = (company or "").strip()
    if initials_only:
        person, company = name_initials(name=person), name_initials(name=company)
    elif person and civility and civility.strip():
        person = f"{civility.strip()} {person}"
    if person and company:
        return f"{person} ({company})"
    return person or company or None
