"""Moments of a recording (followups/moments.py): one reader for a comment's "At" box and a
link's `?t=`, and the clocks the pages and transcripts write."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.moments import (
    MOMENT_MAX_LENGTH,
    MOMENT_MAX_SECONDS,
    MomentError,
    duration_format,
    moment_format,
    moment_parse,
    seconds_exact_format,
    webvtt_time_format,
)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("0", 0),
        ("75", 75),
        (" 75 ", 75),
        ("75.9", 75),
        ("1.5", 1),
        ("90s", 90),
        ("90.5s", 90),
        ("1:15", 75),
        ("01:30", 90),
        ("0:05", 5),
        ("75:00", 4500),
        ("1:02:03", 3723),
        ("1:02:03.250", 3723),
        ("1m30s", 90),
        ("1M30S", 90),
        ("2m", 120),
        ("1h", 3600),
        ("1h2m3s", 3723),
        ("24:00:00", MOMENT_MAX_SECONDS),
    ],
)
def test_moments_people_and_links_write(raw, seconds):
    assert moment_parse(raw=raw) == seconds


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (None, "Give the moment"),
        ("", "Give the moment"),
        ("   ", "Give the moment"),
        ("-5", "before the start"),
        ("-0:05", "before the start"),
        ("1:5", "not a moment"),
        ("1:75", "not a moment"),
        ("1:60:00", "minutes go up to 59"),
        ("1m30", "not a moment"),
        ("m", "not a moment"),
        ("90 s", "not a moment"),
        ("abc", "not a moment"),
        ("<script>", "not a moment"),
        ("1:30#x", "not a moment"),
        ("٣", "not a moment"),
        ("٩٠", "not a moment"),
        ("25h", "past the end"),
        ("90000", "past the end"),
        ("1" * (MOMENT_MAX_LENGTH + 1), "not a moment"),
    ],
)
def test_what_is_not_a_moment_says_why(raw, says):
    with pytest.raises(MomentError, match=says):
        moment_parse(raw=raw)


@given(st.integers(0, MOMENT_MAX_SECONDS))
def test_every_written_form_reads_back(seconds):
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    for written in (
        moment_format(seconds),
        str(seconds),
        f"{seconds}s",
        f"{seconds}.999",
        f"{hours}h{minutes}m{secs}s",
        f"{hours}:{minutes:02d}:{secs:02d}",
    ):
        assert moment_parse(raw=written) == seconds


@given(st.text(max_size=24))
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
        assert re.fullmatch(r"[0-9:.hmsHMS]+", raw.strip())


@pytest.mark.parametrize(
    ("seconds", "clock"),
    [(0, "0:00"), (5, "0:05"), (75.9, "1:15"), (3599, "59:59"), (3723, "1:02:03"), (-4, "0:00")],
)
def test_the_players_clock(seconds, clock):
    assert moment_format(seconds) == clock


@pytest.mark.parametrize(
    ("ms", "shown"),
    [
        (0, "0:00"),
        (999, "0:00"),
        (59_999, "0:59"),
        (180_000, "3:00"),
        (754_321, "12:34"),
        (3_600_000, "1:00:00"),
        (3_723_000, "1:02:03"),
        (None, None),
        (-5, None),
    ],
)
def test_a_length_on_the_players_clock(ms, shown):
    assert duration_format(ms=ms) == shown


def test_a_length_in_seconds_with_their_fraction():
    assert seconds_exact_format(ms=57_785) == "57.785"
    assert seconds_exact_format(ms=58_000) == "58"
    assert seconds_exact_format(ms=57_500) == "57.5"
    assert seconds_exact_format(ms=0) == ""
    assert seconds_exact_format(ms=None) == ""


@pytest.mark.parametrize(
    ("ms", "cue"),
    [
        (0, "00:00:00.000"),
        (1_500, "00:00:01.500"),
        (75_042, "00:01:15.042"),
        (3_723_004, "01:02:03.004"),
        (-10, "00:00:00.000"),
    ],
)
def test_webvtt_cue_times(ms, cue):
    assert webvtt_time_format(ms=ms) == cue


@given(st.integers(0, MOMENT_MAX_SECONDS * 1000))
def test_a_webvtt_time_reads_back_to_its_whole_seconds(ms):
    cue = webvtt_time_format(ms=ms)
    assert re.fullmatch(r"[0-9]{2,}:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}", cue)
    assert moment_parse(raw=cue) == ms // 1000
