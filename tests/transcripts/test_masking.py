"""Long runs of digits (cards, IBANs, phone numbers said aloud) masked as phone numbers are."""

import re

from hypothesis import given
from hypothesis import strategies as st

from followups.access import PHONE_MASK
from transcripts.masking import digits_mask

# What a run is made of once masked: digits, the mask, and the separators allowed between.
_RUN = re.compile(rf"[\d{PHONE_MASK}](?:[ .\-]{{0,3}}[\d{PHONE_MASK}])*")
SEPARATORS = st.sampled_from([" ", ".", "-", "", "  ", " - "])


def test_a_card_number_keeps_its_last_three_digits():
    assert digits_mask("card 4970 1012 3456 7890 ok") == "card •••• •••• •••• •890 ok"


def test_phone_numbers_with_dots_and_dashes():
    assert digits_mask("06.12.34.56.78") == "••.••.••.•6.78"
    assert digits_mask("call 06-12-34-56-78!") == "call ••-••-••-•6-78!"


def test_short_numbers_stay():
    text = "I owe 12345 euros since 12 March 2024, at 10:30."
    assert digits_mask(text) == text


@given(st.text())
def test_the_length_is_kept(text):
    assert len(digits_mask(text)) == len(text)


@given(st.text())
def test_only_digits_change(text):
    for before, after in zip(text, digits_mask(text), strict=True):
        assert after == before or (before.isdigit() and after == PHONE_MASK)


@given(st.text())
def test_no_long_run_shows_more_than_three_digits(text):
    masked = digits_mask(text)
    for run in _RUN.finditer(masked):
        marks = [c for c in run.group() if c.isdigit() or c == PHONE_MASK]
        if len(marks) >= 6:
            assert sum(c.isdigit() for c in marks) <= 3, (text, masked)


@given(
    prefix=st.text(alphabet=st.characters(blacklist_categories=["Nd"])),
    groups=st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1),
    separator=SEPARATORS,
    suffix=st.text(alphabet=st.characters(blacklist_categories=["Nd"])),
)
def test_a_number_said_in_groups_is_masked_up_to_its_last_three_digits(
    prefix, groups, separator, suffix
):
    number = separator.join(groups)
    digits = "".join(groups)
    masked = digits_mask(prefix + " " + number + " " + suffix)
    shown = masked[len(prefix) + 1 : len(prefix) + 1 + len(number)]
    if len(digits) >= 6:
        assert "".join(c for c in shown if c.isdigit()) == digits[-3:]
    else:
        assert shown == number


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"])))
def test_text_without_digits_is_unchanged(text):
    assert digits_mask(text) == text
