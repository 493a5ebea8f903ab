"""The followups list in a real browser: a call that comes in while it is open appears at the
top, marked new, and ticked calls are queued for transcription in place."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from sandbox.data import FOLLOWUP_MEDIA, SANDBOX_FOLLOWUPS
from transcripts.engine import ScriptedEngine, engine_override
from transcripts.models import Transcript

RECORDED = [
    r["id"] for r in SANDBOX_FOLLOWUPS[:25] if "audio_url" in FOLLOWUP_MEDIA.get(r["id"], {})
]


def test_a_call_that_comes_in_appears_at_the_top_marked_new(page_watched):
    page, errors = page_watched
    page.clock.install()
    page.goto("/followups/?type=call")
    region = page.locator("#list-new-calls")
    expect(region).to_be_attached()
    expect(region.locator("li")).to_have_count(0)
    # Two calls the dashboard learns of (a webhook's) a moment after the page opened (calls of
    # its own second are not new to it): only the one of the list's type shows.
    for followup_id, call_type in (("livecall0001", "call"), ("livemail0001", "email")):
        Transcript.objects.create(followup_id=followup_id, call_type=call_type)
    Transcript.objects.filter(followup_id__startswith="live").update(
        created_at=timezone.now() + timedelta(seconds=2)
    )
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(lambda r: "/list/new-calls/" in r.url and "type=call" in r.url):
        page.clock.run_for(31_000)
    new = page.locator("#list-new-calls li")
    expect(new).to_have_count(1)
    expect(new.first).to_have_attribute("data-followup-id", "livecall0001")
    expect(new.first).to_contain_text("New")
    # The list stays where it was, at its own address.
    expect(page).to_have_url(re.compile(r"/followups/\?type=call$"))
    expect(page.locator("#followups-results tbody tr")).not_to_have_count(0)
    assert page.evaluate("window.__sameDocument === true")
    assert errors == []


def test_ticked_calls_are_queued_in_place(page_watched):
    page, errors = page_watched
    page.goto("/followups/")
    page.evaluate("window.__sameDocument = true")
    for followup_id in RECORDED[:2]:
        page.locator(f'input[name="followup_id"][value="{followup_id}"]').check()
    with engine_override(ScriptedEngine([])):
        page.get_by_role("button", name="Transcribe").click()
        expect(page.locator("#followups-results")).to_contain_text(
            "2 calls queued for transcription."
        )
    assert _queued_ids() == set(RECORDED[:2])
    assert page.evaluate("window.__sameDocument === true")
    expect(page).to_have_url(re.compile(r"/followups/$"))
    assert errors == []


def _queued_ids() -> set[str]:
    """The calls asked to be transcribed (not the calls the table only knows of)."""
    return set(Transcript.objects.exclude(status="known").values_list("followup_id", flat=True))
