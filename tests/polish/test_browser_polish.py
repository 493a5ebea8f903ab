"""What a new user meets in a real browser: the player and the session, the docked player, a
letter's PDF after its link expired, and a 429 page counting down."""

import re

import pytest
from playwright.sync_api import expect

from sandbox.data import EXAMPLES, FAULT_IDS

pytestmark = pytest.mark.browser

FOLLOWUP_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s
PAGE = f"/followups/{FOLLOWUP_ID}/"
WAIT_MS = 5_000


def _signed_in(page) -> bool:
    """Whether the browser's session still opens a page (rather than the sign-in redirect)."""
    return page.request.get("/", max_redirects=0).status == 200


def _audio(page, expression: str):
    audio = "document.querySelector('[data-player] audio')"
    return page.evaluate(f"() => {{ const audio = {audio}; return {expression}; }}")


@pytest.fixture
def page_watched(signed_in_page):
    """The signed-in page with its script errors collected."""
    page, _ = signed_in_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    return page, errors


def test_listening_keeps_the_session_alive_past_its_idle_time(page_watched, settings):
    page, errors = page_watched
    settings.SESSION_COOKIE_AGE = 3
    # The link is renewed while it plays, after the session's idle time.
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 6
    page.goto(PAGE)
    renewals = []
    page.on(
        "response", lambda r: renewals.append(r.status) if r.url.endswith("/recording/") else None
    )
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => document.querySelector('[data-player] audio').currentTime > 8", timeout=15_000
    )
    assert not _audio(page, "audio.paused")
    assert 200 in renewals
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    assert _signed_in(page)
    assert errors == []


def test_a_session_that_ended_says_so_and_signs_in_back_to_the_same_moment(page_watched, settings):
    page, errors = page_watched
    settings.SESSION_COOKIE_AGE = 2
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 5
    page.goto(PAGE)
    page.get_by_role("slider", name="Position").fill("20")
    # Left alone past the idle time; the renewal of the link then meets the sign-in page.
    problem = page.locator("[data-player-problem]")
    expect(problem).to_contain_text("Your session has ended", timeout=10_000)
    sign_in = page.get_by_role("link", name="Sign in again")
    expect(sign_in).to_be_visible()
    expect(page.get_by_role("button", name="Reload")).to_be_hidden()
    assert re.search(r"next=%2Ffollowups%2F[^&]+%3Ft%3D0%3A20", sign_in.get_attribute("href"))

    settings.SESSION_COOKIE_AGE = 1800
    sign_in.click()
    expect(page.get_by_text("Sign in to go on where you were")).to_be_visible()
    page.get_by_label("Username").fill("browser-reviewer")
    page.get_by_label("Password").fill("browser-reviewer-pw-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"{PAGE}\?t=0:20#recording$"))
    expect(page.locator("[data-player-current]")).to_have_text("0:20")
    assert errors == []


def test_playing_after_the_session_ended_stops_and_says_so(page_watched, settings):
    page, errors = page_watched
    settings.SESSION_COOKIE_AGE = 6  # the player then pings every 2 s while playing
    page.goto(PAGE)
    page.wait_for_timeout(6_500)  # paused past the idle time; the link itself is still good
    page.get_by_role("button", name="Play").click()
    # At once, not at the next ping: playing again after a long pause asks first.
    expect(page.locator("[data-player-problem]")).to_contain_text(
        "Your session has ended", timeout=1_500
    )
    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
    assert _audio(page, "audio.paused")
    assert errors == []


def test_the_player_docks_while_it_is_out_of_sight(page_watched):
    page, errors = page_watched
    page.set_viewport_size({"width": 1280, "height": 480})
    page.goto(PAGE)
    player = page.locator("[data-player]")
    controls = page.locator("[data-player-ui]")
    # Below the fold on load: docked at the bottom of the window, and it plays from there.
    expect(player).to_have_class(re.compile(r"\bis-docked\b"))
    box = controls.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 480 + 1
    expect(page.get_by_role("link", name=re.compile("^Recording of this followup"))).to_be_visible()
    expect(page.get_by_text("Keyboard shortcuts")).to_be_hidden()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime > 0.3")

    # In its place on the page it is the full player again, with nothing moved around it.
    page.locator("#recording").scroll_into_view_if_needed()
    expect(player).not_to_have_class(re.compile(r"\bis-docked\b"))
    expect(page.get_by_text("Keyboard shortcuts")).to_be_visible()
    place = (
        "() => { const r = document.querySelector('#recording').getBoundingClientRect(); "
        "return [r.top + window.scrollY, r.height]; }"
    )
    undocked_place = page.evaluate(place)
    page.mouse.wheel(0, 2000)
    expect(player).to_have_class(re.compile(r"\bis-docked\b"))
    docked_place = page.evaluate(place)
    assert all(abs(a - b) < 1 for a, b in zip(docked_place, undocked_place, strict=True))
    assert not _audio(page, "audio.paused")

    # Keys work wherever the player is: mute, then jump to the end and back to the start.
    page.locator("h1").click()
    page.keyboard.press("m")
    expect(page.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime > 57")
    page.keyboard.press("Home")
    page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime < 1")
    assert errors == []


def test_a_429_page_counts_down_and_offers_the_retry_at_zero(page_watched):
    page, errors = page_watched
    page.clock.install()
    page.goto(f"/followups/{FAULT_IDS['rate_limited']}/")
    wait = page.locator("[data-countdown-text]")
    retry = page.get_by_role("link", name="Try again")
    expect(wait).to_have_text(re.compile(r"^You can try again in (29|30)\u00a0seconds$"))
    expect(retry).to_have_attribute("aria-disabled", "true")
    page.clock.run_for(10_000)
    expect(wait).to_have_text(re.compile(r"^You can try again in (19|20)\u00a0seconds$"))
    # Not yet: the link is disabled for assistive technology, and a click does nothing.
    expect(retry).to_be_disabled()
    retry.click(force=True)
    expect(page).to_have_url(re.compile(rf"/followups/{FAULT_IDS['rate_limited']}/$"))
    expect(wait).to_have_text(re.compile(r"seconds$"))
    page.clock.run_for(21_000)
    expect(wait).to_have_text("You can try again now.")
    expect(retry).to_be_enabled()
    with page.expect_response(lambda r: FAULT_IDS["rate_limited"] in r.url) as again:
        retry.click()
    assert again.value.status == 429
    assert errors == []


def test_the_pdf_opens_after_the_pages_link_expired(page_watched, settings):
    page, errors = page_watched
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 1
    letter = EXAMPLES["postmail_pdf"]
    page.goto(f"/followups/{letter}/")
    page.wait_for_timeout(2_100)  # the links GetBill gave with the page have expired
    media = []
    page.context.on("response", lambda r: media.append(r) if "/sandbox/media/" in r.url else None)
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name=re.compile("^Open the PDF")).click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.startswith(f"{page.url.split('/followups/')[0]}/sandbox/media/letters/")
    assert [r.status for r in media] == [200]
    assert media[0].headers["content-type"] == "application/pdf"
    assert errors == []
