"""The player and the session in a real browser: listening keeps the session alive, and a
session that really ended stops the player and signs in back to the same moment."""

import re

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from sandbox.data import EXAMPLES

FOLLOWUP_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s


PAGE = f"/followups/{FOLLOWUP_ID}/"


def _signed_in(page) -> bool:
    """Whether the browser's session still opens a page (rather than the sign-in redirect)."""
    return page.request.get("/", max_redirects=0).status == 200


def _audio(page, expression: str):
    audio = "document.querySelector('[data-player] audio')"
    return page.evaluate(f"() => {{ const audio = {audio}; return {expression}; }}")


def test_listening_keeps_the_session_alive_past_its_idle_time(page_watched, settings):
    page, errors = page_watched
    settings.SESSION_COOKIE_AGE = 3
    page.goto(PAGE)
    pings = []
    page.on(
        "response",
        lambda r: pings.append(r.status) if r.url.endswith("/session/keepalive/") else None,
    )
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => document.querySelector('[data-player] audio').currentTime > 8", timeout=15_000
    )
    assert not _audio(page, "audio.paused")
    assert pings
    assert set(pings) == {204}
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    assert _signed_in(page)
    assert errors == []


def test_a_session_that_ended_says_so_and_signs_in_back_to_the_same_moment(page_watched, settings):
    page, errors = page_watched
    settings.SESSION_COOKIE_AGE = 3  # the player then pings every second while playing
    page.goto(PAGE)
    page.get_by_role("slider", name="Position").fill("20")
    # The session ends while the player waits (signed out elsewhere, or its idle time ran out
    # on another tab's clock); playing again meets the sign-in page.
    Session.objects.all().delete()
    page.get_by_role("button", name="Play").click()
    problem = page.locator("[data-player-problem]")
    expect(problem).to_contain_text("Your session has ended", timeout=10_000)
    expect(page.locator("[data-player]")).to_have_attribute("data-player-state", "ended-session")
    sign_in = page.get_by_role("link", name="Sign in again")
    expect(sign_in).to_be_visible()
    expect(page.get_by_role("button", name="Reload")).to_be_hidden()
    # The moment it stopped at: 0:20, or a second or two later on a slow machine.
    moment = re.search(
        r"next=%2Ffollowups%2F[^&]+%3Ft%3D(0%3A2[0-3])", sign_in.get_attribute("href")
    )
    assert moment is not None
    stopped_at = moment[1].replace("%3A", ":")

    settings.SESSION_COOKIE_AGE = 1800
    sign_in.click()
    expect(page.get_by_text("Sign in to go on where you were")).to_be_visible()
    page.get_by_label("Username").fill("browser-reviewer")
    page.get_by_label("Password").fill("browser-reviewer-pw-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"{PAGE}\?t={stopped_at}#recording$"))
    expect(page.locator("[data-player-current]")).to_have_text(stopped_at)
    assert errors == []


def test_playing_after_the_session_ended_stops_and_says_so(page_watched, settings):
    page, errors = page_watched
    settings.SESSION_COOKIE_AGE = 6  # the player then pings every 2 s while playing
    page.goto(PAGE)
    # Paused for longer than a ping's interval, and meanwhile the session ended (its idle time
    # ran out, or signed out elsewhere): ended on the server, not by racing its real clock.
    page.wait_for_timeout(2_500)
    Session.objects.all().delete()
    page.get_by_role("button", name="Play").click()
    # At once, not at the next ping: playing again after a long pause asks first.
    expect(page.locator("[data-player-problem]")).to_contain_text(
        "Your session has ended", timeout=1_500
    )
    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
    assert _audio(page, "audio.paused")
    assert errors == []
