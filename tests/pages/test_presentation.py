"""How a followup reads on its page: phone numbers, times, icons."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone
from hypothesis import given
from hypothesis import strategies as st

from followups import presentation


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+33800123456", "+33 8 00 12 34 56"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("+14155550132", "+1 415 555 0132"),
        ("+34612345678", "+34 612 34 56 78"),
        ("+351912345678", "+351 912 345 678"),
        ("+37793152000", "+377 93 15 20 00"),
        ("+442079460318", "+44 20 7946 0318"),
        ("+447700900123", "+44 7700 900123"),
        ("+441614960000", "+44 161 496 0000"),
        ("+441632960123", "+44 1632 960123"),
        ("+493023125402", "+49 30 23125402"),
        ("+4915123456789", "+49 151 23456789"),
        ("+3225551234", "+32 2 555 12 34"),
        ("+32471123456", "+32 471 12 34 56"),
        ("+31612345678", "+31 6 12345678"),
        # No rule: code split off, digits grouped by three, none changed.
        ("+4922112345", "+49 221 123 45"),
        ("+390612345678", "+39 061 234 56 78"),
        ("+8613812345678", "+86 138 123 456 78"),
        # Not E.164: shown as sent.
        ("0612345678", "0612345678"),
        ("+33 6 12", "+33 6 12"),
        ("+1234", "+1234"),
        ("call me", "call me"),
        (None, None),
        ("", None),
    ],
)
def test_phone_format(number, shown):
    assert presentation.phone_format(number=number) == shown


@pytest.mark.parametrize(
    "number", ["+33800123456", "+4930123456", "+8613812345678", "+971501234567"]
)
def test_phone_format_never_changes_a_digit(number):
    shown = presentation.phone_format(number=number)
    assert shown is not None
    assert shown.replace(" ", "") == number


def _render(source: str, **context) -> str:
    # Relative times use no-break spaces so "3 days" never wraps; compare with plain spaces.
    html = Template("{% load followups_tags %}" + source).render(Context(context))
    return html.replace("\xa0", " ")


def test_when_is_relative_with_the_exact_time_in_the_users_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = timezone.now() - timedelta(days=3, hours=2)
    with timezone.override("Europe/Paris"):
        html = _render("{% when value %}", value=moment)
    local = moment.astimezone(timezone.get_default_timezone())
    assert ">3 days ago</time>" in html
    assert f'datetime="{moment.isoformat()}"' in html
    assert f'title="{local:%Y-%m-%d %H:%M:%S}' in html
    assert local.strftime("%H:%M") in html


def test_when_future_and_just_now():
    now = timezone.now()
    assert ">in 2 hours</time>" in _render(
        '{% when value "relative" %}', value=now + timedelta(hours=2, seconds=30)
    )
    assert ">just now</time>" in _render('{% when value "relative" %}', value=now)
    assert ">in 30 seconds</time>" in _render(
        '{% when value "relative" %}', value=now + timedelta(seconds=29.5)
    )
    assert _render("{% when value %}", value=None) == ""


def test_icons_are_decorative_or_labelled():
    assert 'aria-hidden="true"' in _render('{% icon "phone" %}')
    labelled = _render('{% icon "phone" label %}', label='<b>"x"')
    assert 'role="img"' in labelled
    assert "&lt;b&gt;&quot;x&quot;" in labelled
    assert "icon-dot" in _render('{% icon "nope" %}')


_ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    zone=st.sampled_from(_ZONES),
    aware=st.booleans(),
)
def test_moments_read_as_djangos_date_formats_write_them(
    moment: datetime, zone: str, aware: bool
) -> None:
    value = moment.replace(tzinfo=ZoneInfo(zone)) if aware else moment
    assert presentation.datetime_exact(value=value) == dateformat.format(value, "Y-m-d H:i:s T")
    assert presentation.date_short(value=value) == dateformat.format(value, "j M Y")
    assert presentation.datetime_short(value=value) == dateformat.format(value, "j M Y, H:i")
