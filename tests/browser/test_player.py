"""The recording player in a real browser, against the sandbox's signed, expiring media links."""

import base64
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


def _wait_playing(page, after: float = 0.0, timeout: int = WAIT_MS) -> None:
    _wait(page, "!audio.paused && audio.currentTime > arg + 0.3", after, timeout=timeout)


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


def _stable_address_responses(page) -> list:
    return _collect(page, "response", lambda r: r.url.endswith("/recording/audio"))


def _wait_link_dead(page, url: str) -> None:
    """Wait until the media host refuses `url` (its signed link has expired): asked every
    tenth of a second, for ten seconds at most."""
    dead = page.evaluate(
        """async (url) => {
          for (let tries = 0; tries < 100; tries += 1) {
            const answer = await fetch(url, {cache: "no-store", headers: {Range: "bytes=0-0"}});
            if (answer.status === 403) { return true; }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return false;
        }""",
        url,
    )
    assert dead, "the signed link should have expired"


def test_the_page_holds_a_stable_address_that_redirects_once_per_load(player_page):
    page, _, errors = player_page
    stable = _stable_address_responses(page)
    media = _media_responses(page)
    page.goto(PAGE)
    assert _audio(page)["src"] == f"/followups/{FOLLOWUP_ID}/recording/audio"
    page.get_by_role("button", name="Play").click()
    _wait_playing(page)
    for moment in ("40", "10", "50", "25"):
        page.get_by_role("slider", name="Position").fill(moment)
        _wait_playing(page, after=float(moment))

    # One redirect, never stored, to a signed link; the seeks read byte ranges from that link.
    assert [r.status for r in stable] == [302]
    assert "no-store" in stable[0].headers["cache-control"]
    signed = stable[0].headers["location"]
    assert "X-Amz-Signature=" in signed
    assert len(media) >= 2
    assert all(r.url == signed for r in media)
    assert all(r.status == 206 for r in media)
    assert errors == []


class MediaInChunks:
    """The media host's answers cut to at most `chunk` bytes each (honest shorter 206s), so the
    browser asks for a recording piece by piece as it plays, as it does for any recording longer
    than it keeps in memory; its first request for bytes from `hold_from` on waits until
    `release()`. A test so decides when the browser next needs bytes from the signed link."""

    def __init__(self, page, chunk: int, hold_from: int) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.chunk = chunk
        self.hold_from = hold_from
        self.held: str | None = None
        self.cdp.on("Fetch.requestPaused", self._paused)
        media = "*/sandbox/media/*"
        stages = [{"urlPattern": media, "requestStage": stage} for stage in ("Request", "Response")]
        self.cdp.send("Fetch.enable", {"patterns": stages})

    def release(self) -> None:
        assert self.held is not None, "the browser has not asked for more"
        self.cdp.send("Fetch.continueRequest", {"requestId": self.held})

    def _paused(self, event: dict) -> None:
        request_id = event["requestId"]
        if "responseStatusCode" not in event:
            headers = {name.lower(): value for name, value in event["request"]["headers"].items()}
            start = re.match(r"bytes=(\d+)-", headers.get("range", ""))
            if self.held is None and start and int(start[1]) >= self.hold_from:
                self.held = request_id
            else:
                self.cdp.send("Fetch.continueRequest", {"requestId": request_id})
            return
        headers = {h["name"].lower(): h["value"] for h in event["responseHeaders"]}
        if event["responseStatusCode"] != 206 or int(headers["content-length"]) <= self.chunk:
            self.cdp.send("Fetch.continueResponse", {"requestId": request_id})
            return
        body = self.cdp.send("Fetch.getResponseBody", {"requestId": request_id})
        data = base64.b64decode(body["body"]) if body["base64Encoded"] else body["body"].encode()
        sent = re.fullmatch(r"bytes (\d+)-\d+/(\d+)", headers["content-range"])
        assert sent is not None, headers["content-range"]
        first, size = sent.groups()
        last = int(first) + self.chunk - 1
        cut_headers = {
            "Content-Type": headers["content-type"],
            "Accept-Ranges": "bytes",
            "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Length": str(self.chunk),
        }
        self.cdp.send(
            "Fetch.fulfillRequest",
            {
                "requestId": request_id,
                "responseCode": 206,
                "responseHeaders": [{"name": k, "value": v} for k, v in cut_headers.items()],
                "body": base64.b64encode(data[: self.chunk]).decode(),
            },
        )


def test_a_link_that_expires_mid_play_is_loaded_again_at_the_same_moment(player_page, settings):
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 2
    page, _, errors = player_page
    stable = _stable_address_responses(page)
    media = _media_responses(page)
    # 32 KB at a time (about ten seconds of the call), and the bytes from 0:43 on held.
    chunks = MediaInChunks(page, chunk=32_768, hold_from=4 * 32_768)
    page.goto(f"{PAGE}?t=0:30")
    page.wait_for_function("() => document.querySelector('[data-player]').playerControls")
    # Every state and every time the player shows from now on, to catch a jump back.
    page.evaluate("""() => {
      window.__states = [];
      document.addEventListener("player:statechange", (e) => window.__states.push(e.detail.state));
      const shown = document.querySelector("[data-player-current]");
      window.__shown = [];
      new MutationObserver(() => window.__shown.push(shown.textContent))
        .observe(shown, {childList: true, characterData: true, subtree: true});
    }""")
    page.get_by_role("button", name="Play").click()
    _wait_playing(page, after=30)
    first = stable[0].headers["location"]
    _wait_link_dead(page, first)

    # Playing, the browser needs the rest of the recording from a dead link: refused, and the
    # player loads the stable address again, at the same moment, and plays on.
    played_before = _audio(page)["time"]
    chunks.release()
    # Then, as soon as the first link is refused: renewing, loading and playing again (a slow
    # machine may run out of bytes before that, and wait for them: loading).
    page.wait_for_function(
        "() => window.__states.includes('renewing') && window.__states.at(-1) === 'playing'",
        timeout=15_000,
    )
    _wait_playing(page, after=played_before + 1)
    states = page.evaluate("window.__states")
    assert states[:2] == ["loading", "playing"]
    assert states[states.index("renewing") :] == ["renewing", "loading", "playing"]
    assert [r.status for r in stable] == [302, 302]
    second = stable[1].headers["location"]
    assert _signature(second) != _signature(first)
    assert [r.status for r in media if r.url == first][-1] == 403
    assert [r for r in media if r.url == second and r.status == 206]
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    shown = page.evaluate("window.__shown")
    times = [int(text[-2:]) for text in shown]
    assert times == sorted(times), f"the player jumped back: {shown}"
    assert times[0] <= played_before + 1
    # The refused link is the browser's own error (403) in the console, nothing else.
    assert all("403" in error for error in errors), errors


def test_a_link_refused_by_the_media_host_is_loaded_again(player_page):
    page, _, errors = player_page
    refused: list[str] = []

    def redirect_to_a_broken_link_once(route) -> None:
        if refused:
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        broken = re.sub(r"Signature=[0-9a-f]+", "Signature=00", answer.headers["location"])
        refused.append(broken)
        route.fulfill(status=302, headers={"Location": broken, "Cache-Control": "no-store"})

    page.route(re.compile(r"/recording/audio$"), redirect_to_a_broken_link_once)
    page.goto(f"{PAGE}?t=0:12")
    _wait(page, "audio.readyState >= 1 && Math.abs(audio.currentTime - 12) < 0.5")
    assert len(refused) == 1
    assert not _audio(page)["src"].endswith("=00")
    page.get_by_role("button", name="Play").click()
    _wait_playing(page, after=12)
    expect(page.locator("[data-player-problem]")).to_be_hidden()
    assert all("403" in error for error in errors), errors


def test_when_the_recording_cannot_be_loaded_the_player_says_so_and_reloads_at_the_position(
    player_page,
):
    page, base_url, _ = player_page
    loads = []

    def unavailable(route) -> None:
        loads.append(route.request.url)
        route.fulfill(status=503, body="GetBill is unreachable")

    page.route(re.compile(r"/recording/audio$"), unavailable)
    page.goto(f"{PAGE}?t=0:21")
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("The recording could not be loaded", timeout=8_000)
    # The page's load and three more, with a pause between them; then the player has given up
    # (a state it never leaves), so no storm follows.
    assert len(loads) == 4
    expect(page.locator("[data-player]")).to_have_attribute("data-player-state", "failed")
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
    page.wait_for_function("() => window.__audio.paused")
    assert errors == []
