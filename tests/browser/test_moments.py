"""The browser's moments (static/js/player/moments.js) read and write moments as the server's
followups/moments.py does: every form a comment's "At" or a link's `?t=` accepts, the same
refusals, the same clock."""

import random

import pytest

from followups.moments import MOMENT_MAX_LENGTH, MomentError, moment_format, moment_parse

FORMS = [
    "0",
    "75",
    " 75 ",
    "75.4",
    "75.999",
    "90s",
    "90.5S",
    "1:15",
    "01:30",
    "1:15.5",
    "75:00",
    "1:02:03",
    "1:02:03.250",
    "1m30s",
    "1M30S",
    "2m",
    "1h",
    "1h2m3s",
    "86400",
    "86401",
    "1:60",
    "1:60:00",
    "-5",
    "",
    "   ",
    "1.2345",
    "1:5",
    "h",
    "1h2h",
    "٣",
    "1e3",
    "0x10",
    "1" * MOMENT_MAX_LENGTH,
    "1" * (MOMENT_MAX_LENGTH + 1),
]
# Text built from the characters moments are written with, in lengths around the limit.
_ALPHABET = "0123456789:.hmsHMS -"

JS_SECONDS = """async (texts) => {
  const moments = await import("/static/js/player/moments.js");
  return texts.map((text) => moments.momentSeconds(text));
}"""
JS_CLOCK = """async (seconds) => {
  const moments = await import("/static/js/player/moments.js");
  return seconds.map((value) => moments.clock(value));
}"""


def _server_seconds(text: str) -> int | None:
    try:
        return moment_parse(raw=text)
    except MomentError:
        return None


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    yield page
    context.close()


def test_every_form_the_server_reads_is_read_alike(page):
    generator = random.Random(21)
    typed = [
        "".join(generator.choice(_ALPHABET) for _ in range(generator.randint(1, 18)))
        for _ in range(3000)
    ]
    texts = FORMS + typed
    browser_seconds = page.evaluate(JS_SECONDS, texts)
    differing = [
        (text, seconds, _server_seconds(text))
        for text, seconds in zip(texts, browser_seconds, strict=True)
        if seconds != _server_seconds(text)
    ]
    assert differing == []
    assert sum(seconds is not None for seconds in browser_seconds) > 200


def test_the_clock_is_the_servers(page):
    seconds = [0, 0.9, 5, 59.99, 60, 75.4, 599, 3599, 3600, 3723.5, 36000, 86400]
    assert page.evaluate(JS_CLOCK, seconds) == [moment_format(value) for value in seconds]
