"""Tracker results on a followup's page, and a finished transcript indexed and checked."""

from typing import Any

import pytest

from search.models import SegmentEntry
from tests.support.html import html_attribute, html_find, html_has, html_one
from tests.support.pages import followup_page
from tests.support.transcripts import transcript_make
from trackers.models import Tracker, TrackerResult
from trackers.services import transcript_trackers_check
from transcripts.models import Transcript
from transcripts.signals import transcript_done

ID = "abc123def456"
S3_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"


@pytest.fixture
def with_recording(upstream_returns: Any, settings: Any) -> Any:
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    return upstream_returns(audio_url=S3_URL, duration_ms=80_000)


def test_results_above_the_transcript(qa_client: Any, with_recording: Any) -> None:
    transcript = transcript_make(ID)
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    Tracker.objects.create(name="Recorded", kind="required", phrases=["this call is recorded"])
    transcript_trackers_check(transcript=transcript)
    page = followup_page(qa_client, f"/followups/{ID}/").content.decode()
    trackers_at = page.index('class="panel tracker-results"')
    assert trackers_at < page.index('id="transcript"')
    assert f'href="/followups/{ID}/?t=75#recording" data-transcript-seek>1:15 ▶</a>' in page
    assert (
        'Recorded</span>\n      <span class="muted">(required)</span>\n      \n        not found'
        in page
    )


def test_no_panel_without_listening(client: Any, db: None, with_recording: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from tests.support.accounts import signed_in_client

    user = get_user_model().objects.create_user(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    transcript = transcript_make(ID)
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    transcript_trackers_check(transcript=transcript)
    page = signed_in_client(user).get(f"/followups/{ID}/").content.decode()
    assert "tracker-results" not in page


def _marks_checked() -> None:
    transcript = transcript_make(ID)
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    Tracker.objects.create(name="Card read out", kind="forbidden", phrases=["4970 1012 3456"])
    Tracker.objects.create(name="Greeting", kind="required", phrases=["this is anna"])
    Tracker.objects.create(name="Recorded", kind="required", phrases=["this call is recorded"])
    transcript_trackers_check(transcript=transcript)


def _marks(client: Any) -> list[Any]:
    page = followup_page(client, f"/followups/{ID}/").content.decode()
    seek_bar = html_one(html_one(page, "section", id="recording"), "div", data_player_track=True)
    return html_find(seek_bar, "button", data_player_mark=True)


def test_found_trackers_are_marked_on_the_seek_bar(
    manager_client: Any, with_recording: Any
) -> None:
    _marks_checked()
    marks = _marks(manager_client)
    # Each found tracker at its moment, in the call's order (missing ones have none), labelled
    # with what and when, coloured by kind; buttons, so the keyboard reaches them.
    assert [
        (
            html_attribute(mark, "data-at"),
            html_attribute(mark, "aria-label"),
            html_attribute(mark, "class"),
        )
        for mark in marks
    ] == [
        ("0", "Required: Greeting at 0:00", "seekbar-mark seekbar-mark-required"),
        ("3", "Forbidden: Card read out at 0:03", "seekbar-mark seekbar-mark-forbidden"),
        ("75", "Signal: Dispute at 1:15", "seekbar-mark seekbar-mark-signal"),
    ]
    assert all(html_attribute(mark, "type") == "button" for mark in marks)
    assert all(not html_has(mark, "tabindex") for mark in marks)
    # The player shows a mark once it knows where the end of the bar is.
    assert all(html_has(mark, "hidden") for mark in marks)
    title = html_attribute(marks[1], "title")
    assert title == "Forbidden: Card read out at 0:03 (“4970 1012 3456”)"


def test_marks_mask_long_digit_runs(qa_client: Any, with_recording: Any) -> None:
    _marks_checked()
    title = html_attribute(_marks(qa_client)[1], "title") or ""
    assert title.startswith("Forbidden: Card read out at 0:03 (“")
    assert "4970" not in title
    assert "3456" not in title
    page = followup_page(qa_client, f"/followups/{ID}/").content.decode()
    assert "4970" not in page


def test_no_marks_without_found_trackers(qa_client: Any, with_recording: Any) -> None:
    transcript = transcript_make(ID)
    Tracker.objects.create(name="Recorded", kind="required", phrases=["this call is recorded"])
    transcript_trackers_check(transcript=transcript)
    assert _marks(qa_client) == []


def test_no_marks_for_those_who_may_not_read_transcripts(
    rf: Any, db: None, with_recording: Any
) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from followups.getbill import Followup
    from trackers.panels import tracker_marks_html

    _marks_checked()
    user = get_user_model().objects.create_user(username="listener-without-data")
    user.user_permissions.add(Permission.objects.get(codename="listen_recording"))
    request = rf.get(f"/followups/{ID}/")
    request.user = user
    followup = Followup(id=ID, type="call")
    assert tracker_marks_html(request, followup) == ""
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    request.user = get_user_model().objects.get(pk=user.pk)  # permissions read afresh
    assert "seekbar-mark" in tracker_marks_html(request, followup)


@pytest.mark.django_db
def test_a_finished_transcript_is_indexed_and_checked() -> None:
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    transcript = transcript_make(ID)
    transcript_done.send(sender=Transcript, transcript=transcript)
    assert SegmentEntry.objects.filter(transcript=transcript).count() == 5
    assert TrackerResult.objects.get(transcript=transcript).found
