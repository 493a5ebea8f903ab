"""The readers every GetBill value goes through: integers, moments and text.

Each is tried with Hypothesis on anything an answer can hold; what it returns must be safe to
use as it is (computed with, shown in any time zone, encoded, saved, logged).
"""

from __future__ import annotations

import math
import re
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

import httpx
from django.test import override_settings
from django.utils import dateformat
from hypothesis import example, given
from hypothesis import strategies as st

from dashboard.logging import REDACTED, secret_literal_remember
from followups.getbill import readers
from followups.getbill.quota import retry_after
from followups.getbill.readers import (
    INT_MAX_DIGITS,
    datetime_from_timestamp,
    datetime_read,
    int_read,
    message_clean,
    text_clean,
)

ANY_CHARACTER = st.characters(exclude_categories=())
any_text = st.text(ANY_CHARACTER)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children),
    max_leaves=5,
)
ZONES = sorted(zoneinfo.available_timezones())

# --- int_read -------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**INT_MAX_DIGITS - 1))
def test_int_read_takes_every_integer_in_range(number: int) -> None:
    assert int_read(number) == number
    assert int_read(float(number) if number < 2**53 else number) == number
    assert int_read(f" {number}\t", from_text=True) == number


@given(json_values, st.booleans())
@example("\u00b2", True)
@example("\u0661\u0662", True)
@example("\uff11\uff12", True)
@example("9" * 5000, True)
@example(10**400, False)
@example(True, False)
@example(math.nan, False)
@example(math.inf, False)
@example(1e308, False)
@example(-1, False)
@example("-1", True)
@example("1e3", True)
@example("12", False)
def test_int_read_is_an_ascii_integer_or_none(value: object, from_text: bool) -> None:
    number = int_read(value, from_text=from_text)
    assert number is None or (type(number) is int and 0 <= number < 10**INT_MAX_DIGITS)
    if isinstance(value, str) and number is not None:
        assert from_text
        assert re.fullmatch(rf"[ \t]*[0-9]{{1,{INT_MAX_DIGITS}}}[ \t]*", value)
    if isinstance(value, bool):
        assert number is None


@given(st.integers(), st.integers(min_value=0, max_value=100))
def test_int_read_keeps_to_its_minimum(value: int, minimum: int) -> None:
    number = int_read(value, minimum=minimum)
    assert number is None or number >= minimum


@given(st.floats().filter(lambda value: not (math.isfinite(value) and value.is_integer())))
def test_int_read_refuses_fractions_and_non_numbers(value: float) -> None:
    assert int_read(value) is None


# --- datetime_read --------------------------------------------------------------------------

offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def _shows_everywhere(moment: datetime) -> None:
    for zone in (UTC, zoneinfo.ZoneInfo("Pacific/Kiritimati"), zoneinfo.ZoneInfo("Etc/GMT+12")):
        local = moment.astimezone(zone)
        dateformat.format(local, "Y-m-d H:i:s T")


@given(any_text | json_values)
@example("0001-01-01T00:00:00+14:00")
@example("9999-12-31T23:59:59-14:00")
@example("9999-12-31T23:59:59.999999+00:00")
@example("2024-01-22T10:30:00")
@example("\u0661\u0669\u0667\u0660-01-01T00:00:00+00:00")
def test_datetime_read_is_a_moment_shown_in_any_zone_or_none(value: object) -> None:
    moment = datetime_read(value)
    if moment is not None:
        assert moment.tzinfo is not None
        _shows_everywhere(moment)


@given(st.datetimes(timezones=offsets), st.sampled_from(ZONES))
def test_datetime_read_reads_every_iso_moment_that_can_be_shown(
    moment: datetime, zone_name: str
) -> None:
    read = datetime_read(moment.isoformat())
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        assert read is None
        return
    if datetime(1, 1, 2, tzinfo=UTC) <= utc <= datetime(9999, 12, 30, tzinfo=UTC):
        assert read == moment
        read.astimezone(zoneinfo.ZoneInfo(zone_name))
    else:
        assert read is None


@given(st.datetimes())
def test_datetime_read_refuses_a_moment_without_offset(moment: datetime) -> None:
    assert datetime_read(moment.isoformat()) is None


@given(st.integers(min_value=-(10**18), max_value=10**18))
@example(253402300799)
def test_a_timestamp_is_a_moment_shown_in_any_zone_or_none(seconds: int) -> None:
    moment = datetime_from_timestamp(seconds)
    if moment is not None:
        _shows_everywhere(moment)


# --- text_clean -----------------------------------------------------------------------------

FORBIDDEN = re.compile(
    "[\\ud800-\\udfff\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069\\u200b\\ufeff]"
)


@given(any_text, st.integers(min_value=1, max_value=500))
@example("a\ud800b\udfff", 50)
@example("\x1b[2J\x85\x9b\u202eevil\u2066", 50)
@example("line\r\nbreak\u2028", 50)
def test_text_clean_is_valid_printable_text_of_bounded_length(text: str, max_length: int) -> None:
    cleaned = text_clean(text, max_length=max_length)
    cleaned.encode("utf-8")  # strict: a lone surrogate would raise
    assert not FORBIDDEN.search(cleaned)
    assert "\r" not in cleaned
    assert len(cleaned) <= max_length


@given(any_text)
def test_text_clean_changes_clean_text_no_more(text: str) -> None:
    once = text_clean(text, max_length=10_000)
    assert text_clean(once, max_length=10_000) == once


CLIENT_SECRET = "configured-client-secret-77a1"


@given(before=any_text, after=any_text)
@override_settings(GETBILL_CLIENT_SECRET=CLIENT_SECRET)
def test_text_clean_redacts_the_client_secret_and_tokens(before: str, after: str) -> None:
    token = "tok_live_0a1b2c3d4e5f6a7b"
    secret_literal_remember(token)
    for secret in (CLIENT_SECRET, token):
        cleaned = text_clean(before + " " + secret + " " + after, max_length=100_000)
        assert secret not in cleaned
        assert REDACTED in cleaned
    link = "https://s3.amazonaws.com/b/call.mp3?X-Amz-Signature=0a1b2c3d4e5f"
    assert "0a1b2c3d4e5f" not in text_clean(f"see {link} now", max_length=1000)


@given(any_text | json_values)
@example("Authorization: Bearer abcdefghijklmnopqrstuvwxyz received")
def test_message_clean_is_one_short_clean_line_or_none(message: object) -> None:
    cleaned = message_clean(message)
    if cleaned is None:
        return
    assert "\n" not in cleaned
    assert len(cleaned) <= readers.MAX_MESSAGE_LENGTH
    assert not FORBIDDEN.search(cleaned)
    assert "abcdefghijklmnopqrstuvwxyz" not in cleaned


# --- The readers where GetBill's numbers arrive ----------------------------------------------

header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30)


@given(details=json_values, header=header_values, reset=header_values)
@example(details={"retry_after": "\u00b2"}, header="\u00b9\u00b2", reset="9" * 5000)
@example(details={"retry_after": 10**400}, header="", reset="253402300799")
def test_retry_after_is_a_bounded_wait_or_none(details, header, reset) -> None:
    response = httpx.Response(
        429,
        headers=[
            ("Retry-After", header.encode("latin-1")),
            ("X-RateLimit-Reset", reset.encode("latin-1")),
        ],
    )
    wait = retry_after(payload={"details": details}, response=response)
    assert wait is None or (type(wait) is int and 0 <= wait <= 86400)


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=20, max_value=300))
@override_settings(GETBILL_CLIENT_SECRET=CLIENT_SECRET)
def test_text_clean_never_shows_part_of_a_secret_cut_at_the_end(before: int, max_length: int):
    cleaned = text_clean("x" * before + CLIENT_SECRET + " and more", max_length=max_length)
    assert CLIENT_SECRET[:8] not in cleaned
