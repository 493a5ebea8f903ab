"""Reading a comment's moment (reviews/moments.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.models import MOMENT_MAX_SECONDS
from reviews.moments import MomentError, moment_format, moment_parse


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("0", 0),
        ("75", 75),
        (" 75 ", 75),
        ("75.9", 75),
        ("1:15", 75),
        ("0:05", 5),
        ("1:02:03", 3723),
    ],
)
def test_moments_people_write(raw, seconds):
    assert moment_parse(raw=raw) == seconds


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "Give the moment"),
        ("-5", "before the start"),
        ("-0:05", "before the start"),
        ("1:75", "not a moment"),
        ("1:60:00", "minutes go up to 59"),
        ("abc", "not a moment"),
        ("٣", "not a moment"),
        ("90000", "past the end"),
        ("1" * 13, "not a moment"),
    ],
)
def test_what_is_not_a_moment_says_why(raw, says):
    with pytest.raises(MomentError, match=says):
        moment_parse(raw=raw)


@given(st.integers(0, MOMENT_MAX_SECONDS))
def test_the_clock_reads_back(seconds):
    assert moment_parse(raw=moment_format(seconds)) == seconds
    assert moment_parse(raw=str(seconds)) == seconds


@given(st.text(max_size=20))
def test_any_text_is_a_moment_within_bounds_or_a_clear_refusal(raw):
    try:
        seconds = moment_parse(raw=raw)
    except MomentError as error:
        message = str(error)
        seconds = None
    if seconds is None:
        assert message
    else:
        assert 0 <= seconds <= MOMENT_MAX_SECONDS
