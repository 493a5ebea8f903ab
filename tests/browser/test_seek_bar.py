"""The player's seek bar in a real browser: the recording's waveform behind it, its played part
following the position, and the trackers found in the call as markers that seek there (by
pointer and by keyboard). The transcript and the tracker results are rows made here."""

from typing import Any

import pytest
from playwright.sync_api import expect

from sandbox.data import EXAMPLES
from tests.support.transcripts import PEAKS, transcript_make
from trackers.models import Tracker
from trackers.services import transcript_trackers_check
from transcripts.models import Transcript

FOLLOWUP_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s
PAGE = f"/followups/{FOLLOWUP_ID}/"
DURATION = 57.8
# Where the slider's 0 and end sit: half its thumb in from each edge (dashboard.css).
THUMB_HALF_PX = 8


def _segments() -> list[dict[str, Any]]:
    # One segment every 5 seconds, each its own words: "word0" at 0 s ... "word11" at 55 s.
    return [
        {"start": index * 5.0, "end": index * 5.0 + 3, "speaker": index % 2, "text": f"word{index}"}
        for index in range(12)
    ]


def _wait(page, condition: str, arg=None) -> None:
    page.wait_for_function(
        "(arg) => { const audio = document.querySelector('#recording audio'); "
        f"return {condition}; }}",
        arg=arg,
    )


def _played_share(page) -> float:
    width = page.locator("[data-player-track] [data-player-played]").get_attribute("width")
    assert width is not None
    assert width.endswith("%")
    return float(width[:-1]) / 100


@pytest.fixture
def seek_bar_page(page_watched):
    page, errors = page_watched
    # A Content Security Policy refusal is a console error, not a page error.
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    transcript = transcript_make(
        FOLLOWUP_ID, segments=_segments(), peaks=PEAKS, duration_seconds=DURATION
    )
    Tracker.objects.create(name="Threat", kind="forbidden", phrases=["word3"])
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["word7"])
    Tracker.objects.create(name="Recorded", kind="required", phrases=["this call is recorded"])
    transcript_trackers_check(transcript=transcript)
    page.goto(PAGE)
    expect(page.locator("[data-player-ui]")).to_be_visible()
    return page, errors


def test_the_waveform_is_the_players_seek_bar(seek_bar_page):
    page, errors = seek_bar_page
    seek = page.get_by_role("slider", name="Position")
    waveform = page.locator("[data-player-track] .seekbar-waveform svg")
    expect(waveform).to_be_visible()
    # Behind the slider, across its whole length, as tall as the track.
    seek_box, wave_box = seek.bounding_box(), waveform.bounding_box()
    assert abs(wave_box["x"] - (seek_box["x"] + THUMB_HALF_PX)) <= 1
    assert abs(wave_box["width"] - (seek_box["width"] - 2 * THUMB_HALF_PX)) <= 1
    assert wave_box["height"] >= 30
    # The transcript panel has no seek bar of its own any more: one seek bar on the page.
    expect(page.locator("[data-transcript] svg")).to_have_count(0)
    expect(page.get_by_role("slider")).to_have_count(2)  # the position, and the volume
    assert _played_share(page) == 0

    # The slider still seeks, and the waveform's played part follows the position.
    seek.click(position={"x": seek_box["width"] / 2, "y": seek_box["height"] / 2})
    _wait(page, "audio.currentTime > 26 && audio.currentTime < 32")
    assert 0.45 < _played_share(page) < 0.55
    page.evaluate("() => { document.querySelector('#recording audio').currentTime = 43.35; }")
    page.wait_for_function(
        "() => parseFloat(document.querySelector('[data-player-played]').getAttribute('width'))"
        " > 74"
    )
    assert 0.74 < _played_share(page) < 0.76
    assert errors == []


def test_tracker_markers_sit_at_their_moment_and_seek_there(seek_bar_page):
    page, errors = seek_bar_page
    threat = page.get_by_role("button", name="Forbidden: Threat at 0:15")
    dispute = page.get_by_role("button", name="Signal: Dispute at 0:35")
    expect(threat).to_be_visible()
    expect(dispute).to_be_visible()
    # The required phrase never said has no moment, so no marker (the panel says it).
    expect(page.locator("[data-player-mark]")).to_have_count(2)
    assert "seekbar-mark-forbidden" in (threat.get_attribute("class") or "")
    assert "seekbar-mark-signal" in (dispute.get_attribute("class") or "")

    # Each over its moment on the seek bar.
    seek_box = page.get_by_role("slider", name="Position").bounding_box()
    track = seek_box["width"] - 2 * THUMB_HALF_PX
    for marker, at in ((threat, 15), (dispute, 35)):
        box = marker.bounding_box()
        centre = box["x"] + box["width"] / 2
        assert abs(centre - (seek_box["x"] + THUMB_HALF_PX + track * at / DURATION)) <= 2

    # A click seeks there and plays.
    dispute.click()
    _wait(page, "!audio.paused && audio.currentTime >= 35 && audio.currentTime < 37")
    page.evaluate("() => document.querySelector('#recording audio').pause()")

    # The keyboard reaches them after the slider, in the call's order; Enter seeks.
    page.get_by_role("slider", name="Position").focus()
    page.keyboard.press("Tab")
    expect(threat).to_be_focused()
    page.keyboard.press("Enter")
    _wait(page, "audio.currentTime >= 15 && audio.currentTime < 17")
    assert errors == []


def test_without_a_transcript_the_seek_bar_is_the_plain_one(page_watched):
    page, errors = page_watched
    page.goto(PAGE)
    expect(page.locator("[data-player-ui]")).to_be_visible()
    expect(page.get_by_role("slider", name="Position")).to_be_visible()
    expect(page.locator("[data-player-track] svg")).to_have_count(0)
    expect(page.locator("[data-player-mark]")).to_have_count(0)
    assert errors == []


def test_a_transcript_finished_while_the_page_is_open_draws_its_waveform(page_watched):
    page, errors = page_watched
    transcript_make(
        FOLLOWUP_ID, status=Transcript.Status.RUNNING, segments=[], duration_seconds=DURATION
    )
    page.goto(PAGE)
    expect(page.get_by_text("Transcribing…")).to_be_visible()
    page.evaluate("() => { document.querySelector('#recording audio').currentTime = 28.9; }")
    _wait(page, "audio.currentTime > 28")
    expect(page.locator("[data-player-track] svg")).to_have_count(0)
    Transcript.objects.filter(followup_id=FOLLOWUP_ID).update(
        status=Transcript.Status.DONE, segments=_segments()
    )
    # The panel polls every 3 seconds.
    expect(page.locator("[data-transcript-segments] > li")).to_have_count(12, timeout=10_000)
    expect(page.locator("[data-player-track] .seekbar-waveform svg")).to_be_visible()
    expect(page.locator("[data-player-track] .seekbar-waveform")).to_have_count(1)
    # Drawn at once where the recording stands, though it is paused.
    assert 0.45 < _played_share(page) < 0.55
    assert errors == []
