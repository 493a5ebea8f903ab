"""The compact player docked at the bottom of the window while the player is out of sight, and
the keys that work wherever it is."""

import re

from playwright.sync_api import expect

from sandbox.data import EXAMPLES

FOLLOWUP_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s


PAGE = f"/followups/{FOLLOWUP_ID}/"


def _audio(page, expression: str):
    audio = "document.querySelector('[data-player] audio')"
    return page.evaluate(f"() => {{ const audio = {audio}; return {expression}; }}")


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
