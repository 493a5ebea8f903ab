"""Review comments and the review panel next to the player, in a real browser: comment and
pause at a moment, the marker, click to seek, a review submitted while the recording plays."""

import re

import pytest
from playwright.sync_api import expect

from reviews import services
from reviews.models import Comment, Review
from tests.support.reviews import CALL_ID

pytestmark = pytest.mark.browser

PAGE = f"/followups/{CALL_ID}/"
WAIT_MS = 5_000
AUDIO = "document.querySelector('[data-player] audio')"


def _wait(page, condition: str, arg=None) -> None:
    """Wait until `condition` (a JS expression over `audio` and `arg`) holds."""
    page.wait_for_function(
        f"(arg) => {{ const audio = {AUDIO}; return {condition}; }}", arg=arg, timeout=WAIT_MS
    )


def _time(page) -> float:
    return page.evaluate(f"{AUDIO}.currentTime")


@pytest.fixture
def review_page(signed_in_page):
    """The signed-in browser page, its user also allowed to review; page errors collected."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    page, _ = signed_in_page
    user = get_user_model().objects.get(username="browser-reviewer")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="reviews"))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    return page, user, errors


def _open_playing(page, after: float = 2.0) -> None:
    page.goto(PAGE)
    # A page that reloads loses this mark.
    page.evaluate("window.reviewsNoReload = true")
    page.get_by_role("button", name="Play").click()
    _wait(page, "!audio.paused && audio.currentTime > arg", after)


def _comment_key(page) -> None:
    """Press "c" outside any field: the player pauses for a comment."""
    page.locator("h1").click()
    page.keyboard.press("c")
    _wait(page, "audio.paused")


def _still_same_page(page) -> bool:
    return page.evaluate("window.reviewsNoReload === true")


def test_comment_and_pause_at_a_moment_then_the_marker_and_click_to_seek(review_page):
    page, user, errors = review_page
    _open_playing(page)
    _comment_key(page)
    paused_at = _time(page)
    moment = int(paused_at)
    at_field = page.locator("[data-comment-at]")
    expect(at_field).to_have_value(f"0:{moment:02d}")
    text = page.get_by_label("Comment", exact=True)
    expect(text).to_be_focused()
    # Typing "c", "k" or a space in the box is text, not a shortcut.
    text.press_sequentially("Asked to call back, k")
    page.wait_for_timeout(200)
    assert abs(_time(page) - paused_at) < 0.05
    page.get_by_role("button", name="Add comment").click()

    expect(page.locator("[data-comment-list] .comment-text")).to_have_text("Asked to call back, k")
    # Saving resumes where it was, and the page was not reloaded.
    _wait(page, "!audio.paused && audio.currentTime > arg + 0.3", paused_at)
    assert _still_same_page(page)
    comment = Comment.objects.get()
    assert (comment.author_id, comment.at_seconds) == (user.pk, moment)
    expect(at_field).to_have_value("")

    # The marker sits over its moment on the seek bar.
    marker = page.locator("[data-comment-marker]")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("aria-label", f"Comment at 0:{moment:02d}")
    seek_box = page.get_by_role("slider", name="Position").bounding_box()
    marker_box = marker.bounding_box()
    share = (marker_box["x"] + marker_box["width"] / 2 - seek_box["x"]) / seek_box["width"]
    assert abs(share - moment / 57.8) < 0.05

    # Clicking the comment's time, or its marker, seeks there; playback goes on.
    page.evaluate(f"{AUDIO}.currentTime = 40")
    _wait(page, "audio.currentTime >= 40")
    page.locator("[data-comment-list] [data-seek]").click()
    _wait(page, "Math.abs(audio.currentTime - arg) < 1.5", moment)
    _wait(page, "!audio.paused")
    page.evaluate(f"{AUDIO}.currentTime = 45")
    _wait(page, "audio.currentTime >= 45")
    marker.click()
    _wait(page, "Math.abs(audio.currentTime - arg) < 1.5", moment)
    assert _still_same_page(page)
    assert errors == []


def test_a_refused_comment_keeps_the_text_and_the_pause(review_page):
    page, _, errors = review_page
    _open_playing(page)
    _comment_key(page)
    page.locator("[data-comment-at]").fill("1:30")
    page.get_by_label("Comment", exact=True).fill("Too late")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("alert")).to_contain_text("past the end of the recording (0:57)")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("Too late")
    assert page.evaluate(f"{AUDIO}.paused")
    assert not Comment.objects.exists()
    # Escape gives up on it and playback resumes.
    page.get_by_label("Comment", exact=True).press("Escape")
    _wait(page, "!audio.paused")
    assert _still_same_page(page)
    # The refusal is a 400 that htmx was allowed to swap; nothing else went wrong.
    assert all("400" in error for error in errors), errors


def test_a_review_filled_in_and_submitted_while_the_recording_plays(review_page):
    page, user, errors = review_page
    scorecard = services.scorecard_create(
        name="Calls",
        criteria=[
            services.CriterionSpec(label="Disclosure given", weight=3, critical=True),
            services.CriterionSpec(label="Balance stated", weight=1),
            services.CriterionSpec(label="Wrapped up", weight=2),
        ],
    )
    _open_playing(page)
    src = page.evaluate(f"{AUDIO}.getAttribute('src')")
    panel = page.locator("#review-panel")
    for label, answer in (
        ("Disclosure given", "Yes"),
        ("Balance stated", "No"),
        ("Wrapped up", "Not applicable"),
    ):
        panel.get_by_role("group", name=re.compile(label)).get_by_label(answer, exact=True).check()
    panel.get_by_label("Summary").fill("Balance was wrong.")
    panel.get_by_role("button", name="Save draft").click()
    expect(panel.locator("[data-review-score]")).to_have_text("Score 75.0%")
    expect(panel.locator("[data-review-verdict]")).to_have_text("Needs coaching")
    played_to = _time(page)
    panel.get_by_role("button", name="Submit review").click()
    expect(panel).to_contain_text("A submitted review is read-only")
    expect(panel.locator("[data-review-verdict]")).to_have_text("Needs coaching")

    # The recording never stopped, kept its link, and the page was not reloaded.
    _wait(page, "!audio.paused && audio.currentTime > arg + 0.3", played_to)
    assert page.evaluate(f"{AUDIO}.getAttribute('src')") == src
    assert _still_same_page(page)
    review = Review.objects.get()
    assert (review.reviewer_id, review.scorecard_id, review.status, review.verdict) == (
        user.pk,
        scorecard.pk,
        "submitted",
        "needs_coaching",
    )
    assert errors == []
