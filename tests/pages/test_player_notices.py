"""Links to a moment that cannot be read get a notice near the player; the new keys are listed."""

import re

import pytest

from sandbox.data import EXAMPLES
from tests.support.html import assert_in_html, html_attribute, html_one
from tests.support.pages import page_get

CALL = EXAMPLES["call_deal_found"]


@pytest.mark.parametrize("t", ["abc", "1:75", "-10", "25h", '"><b>x'])
def test_an_unreadable_moment_is_explained_near_the_player(sandbox, manager_client, t):
    _, body = page_get(manager_client, f"/followups/{CALL}/", data={"t": t})
    notes = re.findall(
        r"<p class=\"player-note muted\" role=\"status\" data-player-note>(.*?)</p>", body
    )
    assert len(notes) == 1
    assert (
        "is not a time; starting from the beginning. Times read like 90, 1:30 or 1m30s." in notes[0]
    )
    assert "<b>" not in notes[0]


@pytest.mark.parametrize("t", ["", "0", "0:00", "0:30", "30s"])
def test_a_readable_moment_or_the_start_has_no_notice(sandbox, manager_client, t):
    _, body = page_get(manager_client, f"/followups/{CALL}/", data={"t": t})
    assert "data-player-note" not in body


def test_the_new_keys_are_listed(sandbox, manager_client):
    _, body = page_get(manager_client, f"/followups/{CALL}/")
    for keys, does in [
        ("<kbd>m</kbd>", "Mute or sound on"),
        ("<kbd>Home</kbd> or <kbd>0</kbd>", "Jump to the start"),
        ("<kbd>End</kbd>", "Jump to the end"),
    ]:
        assert_in_html(f"<div><dt>{keys}</dt><dd>{does}</dd></div>", body)
    assert html_attribute(html_one(body, "*", data_player_mute=True), "aria-keyshortcuts") == "m"
