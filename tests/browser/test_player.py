"""The recording player in a real browser, against the sandbox's signed, expiring media links."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from sandbox.data import EXAMPLES

FOLLOWUP_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s
OTHER_WITH_RECORDING = EXAMPLES["retry"]
PAGE = f"/followups/{FOLLOWUP_ID}/"
WAIT_MS = 5_000

AUDIO_STATE = """() => {
  const audio = document.querySelector("[data-player] audio");
  return {time: audio.currentTime, paused: audio.paused, rate: audio.playbackRate,
          src: audio.getAttribute("src"), ready: audio.readyState};
}"""


def _audio(page) -> dict:
    return page.evaluate(AUDIO_STATE)


def _signature(src: str) -> str:
    return parse_qs(urlsplit(src).query)["X-Amz-Signature"][0]


def _wait(page, condition: str, arg=None, timeout: int = WAIT_MS) -> None:
    """Wait until `condition` (a JS expression over `audio` and `arg`) holds."""
    page.wait_for_function(
        f"(arg) => {{ const audio = document.querySelector('[data-player] audio'); "
        f"return {condition}; }}",
        arg=arg,
        timeout=timeout,
    )


def _wait_playing(page, after: float = 0.0) -> None:
    _wait(page, "!audio.paused && audio.currentTime > arg + 0.3", after)


def _collect(page, event: str, keep, value=lambda item: item) -> list:
    """Every `event` of the page that `keep` accepts, as `value` makes it."""
    found: list = []

    def on_event(item) -> None:
        if keep(item):
            found.append(value(item))

    page.on(event, on_event)
    return found


@pytest.fixture
def player_page(signed_in_page):
    """The signed-in page, with every page error and console error collected."""
    page, base_url = signed_in_page
    errors = _collect(page, "console", lambda m: m.type == "error", lambda m: m.text)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    return page, base_url, errors


def _media_responses(page) -> list:
    return _collect(page, "response", lambda r: "/sandbox/media/" in r.url)


def test_plays_seeks_with_ranges_skips_and_reports_the_first_play(player_page):
    page, _, errors = player_page
    media = _media_responses(page)
    played = _collect(page, "response", lambda r: r.url.endswith("/recording/played/"))
    page.goto(PAGE)

    # The length is known before any audio: it comes from the followup.
    expect(page.locator("[data-player-duration]")).to_have_text("0:57")
    expect(page.locator("[data-player] audio")).not_to_have_attribute("controls", re.compile(".*"))
    play = page.get_by_role("button", name="Play")
    play.click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    _wait_playing(page)

    seek = page.get_by_role("slider", name="Position")
    seek.fill("30")
    _wait(page, "audio.currentTime >= 30 && audio.currentTime < 33")
    expect(seek).to_have_attribute("aria-valuetext", re.compile(r"^0:3[0-3] of 0:57$"))
    _wait_playing(page, after=30)
    ranged = [r for r in media if r.status == 206]
    assert ranged, "the recording should be read through Range requests"
    assert all(re.fullmatch(r"bytes \d+-\d+/\d+", r.headers["content-range"]) for r in ranged)

    page.get_by_role("button", name="Forward 10 seconds").click()
    _wait(page, "audio.currentTime >= 40 && audio.currentTime < 43.5")
    page.get_by_role("button", name="Back 10 seconds").click()
    _wait(page, "audio.currentTime >= 30 && audio.currentTime < 34")

    page.get_by_label("Speed").select_option("1.5")
    assert _audio(page)["rate"] == 1.5

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    assert _audio(page)["paused"]
    play.click()
    _wait_playing(page, after=_audio(page)["time"])

    mute = page.get_by_role("button", name="Mute")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.querySelector('[data-player] audio').muted")
    page.get_by_role("slider", name="Volume").fill("0.5")
    assert page.evaluate("document.querySelector('[data-player] audio').volume") == 0.5
    expect(mute).to_have_attribute("aria-pressed", "false")

    # One report for the audit trail per page load, however often playback starts.
    assert [r.status for r in played] == [204]
    assert errors == []


def test_keyboard_shortcuts(player_page):
    page, _, errors = player_page
    page.goto(PAGE)
    expect(page.get_by_text("Keyboard shortcuts")).to_be_visible()
    _wait(page, "audio.readyState >= 1")
    page.locator("h1").click()

    page.keyboard.press("k")
    _wait_playing(page)
    page.keyboard.press("k")
    _wait(page, "audio.paused")
    start = _audio(page)["time"]
    page.keyboard.press("l")
    _wait(page, "Math.abs(audio.currentTime - arg - 10) < 0.5", start)
    page.keyboard.press("ArrowRight")
    _wait(page, "Math.abs(audio.currentTime - arg - 20) < 0.5", start)
    page.keyboard.press("j")
    page.keyboard.press("ArrowLeft")
    _wait(page, "Math.abs(audio.currentTime - arg) < 0.5", start)
    page.keyboard.press(">")
    page.keyboard.press(">")
    page.keyboard.press("<")
    assert _audio(page)["rate"] == 1.25
    expect(page.get_by_label("Speed")).to_have_value("1.25")
    page.keyboard.press("Space")
    _wait_playing(page, after=start)
    page.keyboard.press("Space")
    _wait(page, "audio.paused")

    # Space on the play button is the button's own click: one toggle, not two.
    page.get_by_role("button", name="Play").focus()
    page.keyboard.press("Space")
    _wait_playing(page, after=start)
    page.keyboard.press("k")
    _wait(page, "audio.paused")

    # The slider keeps its own arrow keys: one second, not ten.
    seek = page.get_by_role("slider", name="Position")
    seek.focus()
    before = _audio(page)["time"]
    page.keyboard.press("ArrowRight")
    _wait(page, "Math.abs(audio.currentTime - Math.round(arg) - 1) < 0.1", before)
    page.keyboard.press("Space")
    _wait_playing(page, after=before)
    page.keyboard.press("k")
    _wait(page, "audio.paused")

    # Nothing fires while typing or with a modifier.
    state = _audio(page)
    search = page.locator("#header-q")
    search.click()
    search.press_sequentially("kjl <>")
    expect(search).to_have_value("kjl <>")
    page.locator("h1").click()
    page.keyboard.press("Alt+k")
    page.keyboard.press("Control+l")
    page.wait_for_timeout(300)
    after = _audio(page)
    assert after["paused"]
    assert after["rate"] == state["rate"]
    assert abs(after["time"] - state["time"]) < 0.01
    assert errors == []


def test_the_speed_is_remembered_across_pages_and_reloads(player_page):
    page, _, errors = player_page
    page.goto(PAGE)
    page.get_by_label("Speed").select_option("1.75")
    page.reload()
    expect(page.get_by_label("Speed")).to_have_value("1.75")
    _wait(page, "audio.readyState >= 1")
    page.get_by_role("button", name="Play").click()
    _wait_playing(page)
    assert _audio(page)["rate"] == 1.75
    page.goto(f"/followups/{OTHER_WITH_RECORDING}/")
    expect(page.get_by_label("Speed")).to_have_value("1.75")
    assert _audio(page)["rate"] == 1.75
    assert errors == []


def test_a_link_to_a_moment_and_the_copy_button(player_page):
    page, base_url, errors = player_page
    page.goto(f"{PAGE}?t=0:42")
    expect(page.locator("[data-player-current]")).to_have_text("0:42")
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 42) < 0.5")

    page.goto(f"{PAGE}#t=15")
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 15) < 0.5")
    page.goto(f"{PAGE}?t=1m5s")  # past the end of a 58-second call: ignored
    _wait(page, "audio.readyState >= 1")
    assert _audio(page)["time"] == 0

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.get_by_role("slider", name="Position").fill("33")
    _wait(page, "Math.abs(audio.currentTime - 33) < 0.5")
    copy = page.locator("[data-player-copy]")
    expect(copy).to_have_accessible_name("Copy link at current time")
    copy.click()
    expect(copy).to_contain_text("Copied")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{base_url}{PAGE}?t=0:33"
    page.goto(link)
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 33) < 0.5")
    assert errors == []


PAST_THE_END = (
    "That moment ({}) is past the end of the recording (0:57); starting from the beginning."
)


def test_a_moment_past_the_end_in_the_hash_is_explained_like_one_in_the_query(player_page):
    page, _, errors = player_page
    page.goto(f"{PAGE}?t=1:05")
    notes = page.locator("#recording .player-note")
    expect(notes).to_have_text(PAST_THE_END.format("1:05"))

    # Only the browser sees the hash: the player writes the same notice in the same place.
    page.goto(f"{PAGE}#t=90")
    expect(notes).to_have_count(1)
    expect(notes).to_have_text(PAST_THE_END.format("1:30"))
    expect(notes).to_have_attribute("role", "status")
    expect(page.locator("[data-player-current]")).to_have_text("0:00")
    _wait(page, "audio.readyState >= 1")
    assert _audio(page)["time"] == 0

    # A valid `?t=` is kept, and nothing is said, when the hash asks for too much.
    page.goto(f"{PAGE}?t=0:20#t=1m30s")
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 20) < 0.5")
    expect(notes).to_have_count(0)
    page.goto(f"{PAGE}#t=0:12")
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 12) < 0.5")
    expect(notes).to_have_count(0)
    assert errors == []


def test_an_expiring_link_is_renewed_while_playing_and_while_paused(player_page, settings):
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 3
    page, _, errors = player_page
    media = _media_responses(page)
    page.goto(PAGE)
    first = _audio(page)["src"]
    page.get_by_role("button", name="Play").click()
    page.get_by_role("slider", name="Position").fill("20")
    _wait_playing(page, after=20)
    # Every time the player shows from now on, to catch a jump back while the link changes.
    page.evaluate("""() => {
      const shown = document.querySelector("[data-player-current]");
      window.__shown = [];
      new MutationObserver(() => window.__shown.push(shown.textContent))
        .observe(shown, {childList: true, characterData: true, subtree: true});
    }""")

    # Playing through the expiry: a new link, no jump back, still playing.
    _wait(page, "audio.getAttribute('src') !== arg && audio.readyState >= 1", first)
    second = _audio(page)
    assert _signature(second["src"]) != _signature(first)
    assert second["time"] >= 20
    _wait_playing(page, after=second["time"])

    # Paused past the expiry of that link too: the position stays, and play goes on from it.
    page.get_by_role("button", name="Pause").click()
    paused_at = _audio(page)["time"]
    _wait(page, "audio.getAttribute('src') !== arg && audio.readyState >= 1", second["src"])
    assert page.request.get(first).status == 403, "the first link should really be dead by now"
    third = _audio(page)
    assert third["paused"]
    assert abs(third["time"] - paused_at) < 0.05
    expect(page.locator("[data-player-current]")).to_have_text(re.compile(r"^0:2\d$"))
    page.get_by_role("button", name="Play").click()
    _wait_playing(page, after=paused_at)

    # Seeking goes on with the fresh link, read through Range requests.
    page.get_by_role("slider", name="Position").fill("45")
    _wait_playing(page, after=45)
    fresh = {_signature(r.url) for r in media if r.status == 206}
    assert len(fresh) >= 3, "each new link should have been fetched with a Range request"
    assert not [r for r in media if r.status >= 400]
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    shown = page.evaluate("window.__shown")
    assert shown
    assert all(re.fullmatch(r"0:[2-5]\d", text) for text in shown), shown
    assert errors == []


def _rewrite_page(page, change) -> None:
    """Serve the followup page through `change(html)`."""

    def handle(route):
        response = route.fetch()
        route.fulfill(response=response, body=change(response.text()))

    page.route(re.compile(rf"{re.escape(PAGE)}(\?.*)?$"), handle)


def _no_time_left(html: str) -> str:
    return re.sub(r'data-seconds-left="\d+"', 'data-seconds-left="0"', html)


def _expired_long_ago(html: str) -> str:
    # A page made from a followup fetched hours ago: no time left, and a link signed back then
    # (the media host refuses it with a 403).
    html = _no_time_left(html)
    return re.sub(r"X-Amz-Date=\w+", "X-Amz-Date=20240101T000000Z", html)


def test_a_link_already_expired_when_the_page_loads_is_renewed_before_playing(player_page):
    page, _, errors = player_page
    refreshes = _collect(page, "request", lambda r: r.url.endswith("/recording/"))
    _rewrite_page(page, _expired_long_ago)
    page.goto(PAGE)
    _wait(page, "audio.readyState >= 1 && !audio.getAttribute('src').includes('X-Amz-Date=2024')")
    # One request for a fresh link, though both the schedule and the audio's error asked.
    assert len(refreshes) == 1
    assert refreshes[0].headers["hx-request"] == "true"
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    page.get_by_role("button", name="Play").click()
    _wait_playing(page)
    assert all("403" in error for error in errors), errors


def test_a_link_refused_by_the_media_host_is_renewed(player_page):
    page, _, errors = player_page
    # The page's link no longer works (a broken signature): the audio element reports an error.
    _rewrite_page(page, lambda html: re.sub(r"Signature=[0-9a-f]+", "Signature=00", html))
    page.goto(f"{PAGE}?t=0:12")
    _wait(page, "audio.readyState >= 1 && !audio.getAttribute('src').endsWith('=00')")
    _wait(page, "Math.abs(audio.currentTime - 12) < 0.5")
    page.get_by_role("button", name="Play").click()
    _wait_playing(page, after=12)
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    # The refused link is the browser's own error (403) in the console, nothing else.
    assert all("403" in error for error in errors), errors


def test_when_no_fresh_link_comes_the_player_says_so_and_reloads_at_the_position(player_page):
    page, base_url, _ = player_page
    refreshes = []

    def unavailable(route) -> None:
        refreshes.append(route.request.url)
        route.fulfill(status=503, body="GetBill is unreachable")

    page.route(re.compile(r"/recording/$"), unavailable)
    _rewrite_page(page, _no_time_left)
    page.goto(f"{PAGE}?t=0:21")
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Recording link expired", timeout=8_000)
    # A few tries with a pause between them, not a storm.
    assert len(refreshes) == 3
    page.wait_for_timeout(1_500)
    assert len(refreshes) == 3
    expect(page.locator("[data-player-ui]")).to_have_attribute("inert", "")

    page.unroute_all()
    page.get_by_role("button", name="Reload").click()
    page.wait_for_url(f"{base_url}{PAGE}?t=0:21")
    expect(page.get_by_role("alert")).to_be_hidden()
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 21) < 0.5")


def test_on_a_phone(player_page):
    page, _, errors = player_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(PAGE)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the player makes the page scroll sideways"
    for name in ("Back 10 seconds", "Play", "Forward 10 seconds"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box is not None
        assert box["width"] >= 44, name
        assert box["height"] >= 44, name
    page.get_by_role("button", name="Play").click()
    _wait_playing(page)
    assert errors == []


def test_a_player_swapped_in_by_htmx_works_and_stops_when_swapped_out(player_page):
    page, base_url, errors = player_page
    page.goto("/")
    page.locator("#q").fill(FOLLOWUP_ID)
    page.locator("#q").press("Enter")
    page.wait_for_url(f"{base_url}{PAGE}")
    page.get_by_role("button", name="Play").click()
    _wait_playing(page)
    page.evaluate("window.__audio = document.querySelector('[data-player] audio')")

    search = page.locator("#header-q")
    search.fill(EXAMPLES["email_many_opens"])
    search.press("Enter")
    expect(page.locator("#main")).to_contain_text("Email engagement")
    # The recording does not play on, unseen, in the page that replaced it.
    page.wait_for_function("window.__audio.paused")
    assert errors == []
