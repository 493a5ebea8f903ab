"""The transcript beside the player in a real browser: the highlight follows playback, a click
on a word or a segment seeks there, the list keeps the moment in view, search finds words. The
transcript is a row made here (no model is run); its waveform is on the player's seek bar
(test_seek_bar.py)."""

from typing import Any

import pytest
from playwright.sync_api import expect

from sandbox.data import EXAMPLES
from tests.support.transcripts import PEAKS, transcript_make

FOLLOWUP_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s
PAGE = f"/followups/{FOLLOWUP_ID}/"
WORDS = ["alpha", "bravo", "charlie"]


def _segments() -> list[dict[str, Any]]:
    # Twelve segments of three words, one every 5 seconds: more than the list shows at once.
    segments: list[dict[str, Any]] = []
    for index in range(12):
        start = index * 5.0
        words: list[dict[str, Any]] = [
            {"start": start + n, "end": start + n + 0.9, "text": f"{word}{index}"}
            for n, word in enumerate(WORDS)
        ]
        text = " ".join(word["text"] for word in words)
        segments.append(
            {"start": start, "end": start + 3, "speaker": index % 2, "text": text, "words": words}
        )
    segments[7]["words"][1]["text"] = "dispute"
    return segments


def _wait(page, condition: str, arg=None) -> None:
    page.wait_for_function(
        "(arg) => { const audio = document.querySelector('#recording audio'); "
        f"return {condition}; }}",
        arg=arg,
    )


def _current_segment_start(page) -> float | None:
    return page.evaluate(
        "() => { const el = document.querySelector('[data-transcript-segments] > .is-current');"
        " return el ? parseFloat(el.dataset.start) : null; }"
    )


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
          const list = document.querySelector('[data-transcript-segments]');
          const item = document.querySelector(selector);
          const a = list.getBoundingClientRect(), b = item.getBoundingClientRect();
          return b.top >= a.top - 1 && b.bottom <= a.bottom + 1;
        }""",
        selector,
    )


@pytest.fixture
def transcript_page(page_watched):
    page, errors = page_watched
    transcript_make(FOLLOWUP_ID, segments=_segments(), peaks=PEAKS, duration_seconds=57.8)
    page.goto(PAGE)
    expect(page.locator("[data-transcript-segments] > li")).to_have_count(12)
    return page, errors


def test_highlight_follows_playback_and_a_click_seeks(transcript_page):
    page, errors = transcript_page
    # A click on a word seeks to it and plays.
    page.get_by_text("bravo2", exact=True).click()
    _wait(page, "!audio.paused && audio.currentTime >= 11 && audio.currentTime < 12.5")
    expect(page.locator("[data-transcript-segments] > li").nth(2)).to_have_class(
        "transcript-segment speaker-agent is-current"
    )
    expect(page.locator(".is-spoken")).to_have_text("bravo2")

    # Playing on, the highlight moves with the recording.
    _wait(page, "audio.currentTime >= 12.1")
    expect(page.locator(".is-spoken")).to_have_text("charlie2")

    # Wherever the player takes the recording, the highlight follows and stays in view.
    page.evaluate("() => { document.querySelector('#recording audio').currentTime = 51.2; }")
    expect(page.locator(".is-spoken")).to_have_text("bravo10")
    assert _current_segment_start(page) == 50.0
    assert _in_view(page, "[data-transcript-segments] > .is-current")

    # A click on a segment's moment seeks to its start.
    page.locator("[data-transcript-segments] > li").nth(4).locator("[data-transcript-seek]").click()
    _wait(page, "audio.currentTime >= 20 && audio.currentTime < 21.5")
    assert _current_segment_start(page) == 20.0
    assert page.url.endswith(PAGE)  # seeking, not following the link
    assert errors == []


def test_a_reader_who_scrolled_away_keeps_their_place(transcript_page):
    page, errors = transcript_page
    page.get_by_text("alpha0", exact=True).click()
    _wait(page, "!audio.paused")
    page.evaluate(
        "() => { const list = document.querySelector('[data-transcript-segments]');"
        " list.scrollTop = list.scrollHeight; }"
    )
    follow = page.get_by_role("button", name="Back to the moment playing")
    expect(follow).to_be_visible()
    scrolled = page.evaluate("() => document.querySelector('[data-transcript-segments]').scrollTop")
    page.evaluate("() => { document.querySelector('#recording audio').currentTime = 25.5; }")
    expect(page.locator(".is-spoken")).to_have_text("alpha5")
    assert (
        page.evaluate("() => document.querySelector('[data-transcript-segments]').scrollTop")
        == scrolled
    )
    follow.click()
    expect(follow).to_be_hidden()
    assert _in_view(page, "[data-transcript-segments] > .is-current")
    assert errors == []


def test_search_finds_words_with_next_and_previous(transcript_page):
    page, errors = transcript_page
    box = page.get_by_label("Find in the transcript")
    box.fill("CHARLIE1")  # charlie1, charlie10, charlie11
    expect(page.locator("[data-transcript-count]")).to_have_text("1 of 3")
    expect(page.locator(".is-match")).to_have_count(3)
    expect(page.locator(".is-match-current")).to_have_text("charlie1")
    page.get_by_role("button", name="Next match").click()
    expect(page.locator(".is-match-current")).to_have_text("charlie10")
    box.press("Shift+Enter")
    box.press("Shift+Enter")
    expect(page.locator(".is-match-current")).to_have_text("charlie11")
    assert _in_view(page, ".is-match-current")
    box.fill("dispute")
    expect(page.locator("[data-transcript-count]")).to_have_text("1 of 1")
    box.fill("nowhere said")
    expect(page.locator("[data-transcript-count]")).to_have_text("No match")
    expect(page.locator(".is-match")).to_have_count(0)
    assert errors == []


def test_comment_here_opens_the_comment_box_at_the_segments_moment(page_watched):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    page, errors = page_watched
    reviewer = get_user_model().objects.get(username="browser-reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="review_followup"))
    transcript_make(FOLLOWUP_ID, segments=_segments(), peaks=PEAKS, duration_seconds=57.8)
    page.goto(PAGE)
    segment = page.locator("[data-transcript-segments] > li").nth(9)
    segment.hover()
    segment.get_by_role("button", name="Comment here").click()
    expect(page.locator("[data-comment-at]")).to_have_value("0:45")
    expect(page.locator("[data-comment-text]")).to_be_focused()
    page.keyboard.type("The debtor disputes the amount here.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("[data-comment-list] .comment-time").first).to_have_text("0:45")
    assert errors == []
