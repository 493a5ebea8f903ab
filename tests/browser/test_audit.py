"""The audit trail end to end in a real browser: the player's report of a play (sendBeacon with
the page's CSRF token, under the production Content Security Policy and cookie flags) becomes
an entry for the signed-in user, once, however many byte ranges the browser reads."""

from playwright.sync_api import expect

from followups.models import AuditEntry
from sandbox.data import EXAMPLES

FOLLOWUP_ID = EXAMPLES["call_deal_found"]


def test_a_play_in_the_browser_is_audited(signed_in_page):
    page, _ = signed_in_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/followups/{FOLLOWUP_ID}/")
    with page.expect_response(lambda r: r.url.endswith("/recording/played/")) as played:
        page.get_by_role("button", name="Play").click()
    assert played.value.status == 204
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    # Seeks read byte ranges from the signed link; none of them is another entry.
    for moment in ("40", "10", "50"):
        page.get_by_role("slider", name="Position").fill(moment)
        page.wait_for_function(
            "(at) => { const audio = document.querySelector('[data-player] audio');"
            " return !audio.paused && audio.currentTime > at + 0.3; }",
            arg=float(moment),
        )
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    entries = list(
        AuditEntry.objects.filter(followup_id=FOLLOWUP_ID)
        .order_by("id")
        .values_list("username", "action", "outcome")
    )
    # The page, the one link its stable address handed out, the one play.
    assert sorted(entries) == [
        ("browser-reviewer", "lookup", "shown"),
        ("browser-reviewer", "recording_play", "shown"),
        ("browser-reviewer", "recording_url_refresh", "shown"),
    ]
    assert errors == []
