"""The transcript on a followup's page, on its own page and as WebVTT: who sees it, what is
audited, masking, the states while it is made, and bad input."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test.html import Element, parse_html
from django.utils import timezone

from followups.models import AuditEntry
from tests.support.accounts import signed_in_client
from tests.support.html import html_attribute, html_find, html_has, html_one, html_text, html_texts
from tests.support.pages import followup_page
from tests.support.transcripts import PEAKS, transcript_make
from transcripts.display import WAVEFORM_SLOT
from transcripts.models import Transcript

ID = "abc123def456"
DETAIL = f"/followups/{ID}/"
PAGE = f"/followups/{ID}/transcript/"
VTT = f"/followups/{ID}/transcript.vtt"
RETRY = f"/followups/{ID}/transcript/retry/"
S3_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "transcript"}


@pytest.fixture
def with_recording(upstream_returns, settings):
    """GetBill (faked) answers every ID with a call whose recording is on an allowed host."""
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    return upstream_returns(audio_url=S3_URL, duration_ms=80_000)


@pytest.fixture
def viewer_client(db):
    """May look followups up, may not listen to recordings."""
    user = get_user_model().objects.create_user(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    return signed_in_client(user)


def _audit(action: str) -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(action=action)
        .order_by("id")
        .values_list("outcome", "followup_id", "detail")
    )


def _panel(body: str) -> Element:
    return html_one(body, "section", class_="card transcript", id="transcript")


def _words(panel: Element) -> list[str]:
    return html_texts(panel, "span", data_start=True, data_end=True)


# --- The followup's page ---------------------------------------------------------------------


def test_the_panel_shows_segments_with_moment_speaker_and_words(qa_client, with_recording):
    transcript_make(ID)
    panel = _panel(followup_page(qa_client, DETAIL).content.decode())
    assert html_find(panel, "*", data_start="75.200")
    time_link = html_one(panel, "a", href=f"{DETAIL}?t=75#recording", data_transcript_seek=True)
    assert html_text(time_link) == "1:15"
    assert "Agent" in html_texts(panel, "span", class_="transcript-speaker")
    assert html_texts(panel, "span", data_start="0.900", data_end="1.300") == ["Anna"]
    comment_buttons = html_find(panel, "button", data_transcript_comment=True)
    assert comment_buttons
    assert all(html_has(button, "hidden") for button in comment_buttons)
    assert {html_text(button) for button in comment_buttons} == {"Comment here"}
    assert html_find(panel, "a", href=VTT, download=True)
    assert not html_find(panel, "svg")  # the waveform is on the player's seek bar
    assert not html_has(panel, "hx-trigger")  # done: no polling


def _seek_bar(body: str) -> Element:
    return html_one(html_one(body, "section", id="recording"), "div", data_player_track=True)


def test_the_waveform_is_drawn_behind_the_players_seek_bar(qa_client, with_recording):
    transcript_make(ID)
    body = followup_page(qa_client, DETAIL).content.decode()
    seek_bar = _seek_bar(body)
    assert html_find(seek_bar, "input", type="range", data_player_seek=True)
    waveform = html_one(seek_bar, "div", class_="seekbar-waveform", aria_hidden="true")
    svg = html_one(waveform, "svg", preserveaspectratio="none")
    assert html_attribute(svg, "viewbox") == f"0 0 {len(PEAKS) * WAVEFORM_SLOT} 100"
    bars = html_attribute(html_one(svg, "path", id="seekbar-bars"), "d") or ""
    assert bars.count("M") == len(PEAKS)
    # The played part: the player moves this clip's width.
    assert html_find(svg, "rect", data_player_played=True, width="0")
    # One seek bar: the page has one waveform, and the transcript's panel none.
    assert len(html_find(body, "svg", preserveaspectratio="none")) == 1
    assert not html_find(_panel(body), "svg")


def test_the_recording_fragment_keeps_the_waveform(qa_client, with_recording):
    transcript_make(ID)
    body = qa_client.get(f"/followups/{ID}/recording/", headers={"HX-Request": "true"})
    assert html_find(_seek_bar(body.content.decode()), "div", class_="seekbar-waveform")


@pytest.mark.parametrize(
    "transcript",
    [
        pytest.param({"peaks": []}, id="no peaks"),
        pytest.param({"status": Transcript.Status.RUNNING, "segments": []}, id="being made"),
        pytest.param({"status": Transcript.Status.FAILED, "segments": []}, id="failed"),
        pytest.param(None, id="no transcript"),
    ],
)
def test_without_peaks_the_seek_bar_is_the_plain_one(
    qa_client, with_recording, settings, transcript
):
    settings.TRANSCRIBE_ENGINE = "off"  # opening the page queues nothing
    if transcript is not None:
        transcript_make(ID, **transcript)
    seek_bar = _seek_bar(followup_page(qa_client, DETAIL).content.decode())
    assert html_find(seek_bar, "input", type="range", data_player_seek=True)
    assert not html_find(seek_bar, "svg")
    assert not html_find(seek_bar, "div", class_="seekbar-waveform")


def test_the_panel_comes_right_after_the_player(qa_client, with_recording):
    transcript_make(ID)
    body = followup_page(qa_client, DETAIL).content.decode()
    assert (
        body.index('id="recording"') < body.index('id="transcript"') < body.index('id="comments"')
    )


def test_no_inline_style_or_script_in_the_panel(manager_client, with_recording):
    transcript_make(ID)
    body = followup_page(manager_client, DETAIL).content.decode()
    assert not re.search(r"\sstyle=", body)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert '<script type="module" src="/static/js/transcript.js"></script>' in body


def test_digits_are_masked_for_those_without_full_phone_numbers(qa_client, with_recording):
    transcript_make(ID)
    panel = _panel(followup_page(qa_client, DETAIL).content.decode())
    words = _words(panel)
    assert "••••" in words
    assert "•890." in words
    for digits in ("4970", "1012", "3456", "06", "12"):
        assert digits not in words
        assert digits not in html_text(panel).split()
    assert _audit("transcript_view") == [("shown", ID, "Digits masked")]


def test_managers_see_the_digits(manager_client, with_recording):
    transcript_make(ID)
    panel = _panel(followup_page(manager_client, DETAIL).content.decode())
    assert "4970" in _words(panel)
    assert _audit("transcript_view") == [("shown", ID, "")]


def test_no_panel_without_the_right_to_listen(viewer_client, with_recording):
    transcript_make(ID)
    body = followup_page(viewer_client, DETAIL).content.decode()
    assert 'id="transcript"' not in body
    assert "Anna" not in body
    assert not Transcript.objects.exclude(followup_id=ID).exists()
    assert _audit("transcript_view") == []


def test_opening_a_call_with_a_recording_asks_for_its_transcript(qa_client, with_recording):
    panel = _panel(followup_page(qa_client, DETAIL).content.decode())
    transcript = Transcript.objects.get(followup_id=ID)
    assert transcript.status == Transcript.Status.QUEUED
    assert "Transcribing… (next in line)" in html_text(panel)
    polling = {
        name: html_attribute(panel, f"hx-{name}") for name in ("get", "trigger", "target", "swap")
    }
    assert polling == {"get": PAGE, "trigger": "every 3s", "target": "this", "swap": "outerHTML"}
    # Opening it again asks for nothing more: one row, one job.
    followup_page(qa_client, DETAIL)
    assert Transcript.objects.filter(followup_id=ID).count() == 1
    assert _audit("transcript_view") == []  # nothing shown yet


def test_a_call_without_a_recording_gets_no_panel(qa_client, upstream_returns):
    upstream_returns(type="email")
    body = followup_page(qa_client, DETAIL).content.decode()
    assert 'id="transcript"' not in body
    assert not Transcript.objects.exists()


def test_transcripts_turned_off_are_said_so(qa_client, with_recording, settings):
    settings.TRANSCRIBE_ENGINE = "off"
    panel = _panel(followup_page(qa_client, DETAIL).content.decode())
    assert "Transcripts are turned off" in html_text(panel)
    # The call is in the table of calls, not transcribed.
    assert list(Transcript.objects.values_list("status", flat=True)) == [Transcript.Status.KNOWN]


# --- While it is made: htmx polls the panel ---------------------------------------------------


def test_the_panel_polls_with_calls_ahead_and_progress(qa_client, db):
    transcript_make("other1", status=Transcript.Status.RUNNING, progress=0.5)
    transcript_make("other2", status=Transcript.Status.QUEUED)
    transcript_make(ID, status=Transcript.Status.QUEUED)
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    panel = _panel(fragment)
    assert parse_html(fragment) == panel  # the region alone, nothing around it
    assert "Transcribing… (2 calls ahead)" in html_text(panel)
    assert html_attribute(panel, "hx-trigger") == "every 3s"
    Transcript.objects.filter(followup_id=ID).update(
        status=Transcript.Status.RUNNING, progress=0.42
    )
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    assert "Transcribing… 42%" in html_text(fragment)
    assert html_find(fragment, "progress", max="100", value="42")


def test_a_transcript_whose_worker_died_is_queued_again_when_polled(qa_client, settings):
    started = timezone.now() - timedelta(seconds=settings.TRANSCRIBE_JOB_TIMEOUT_SECONDS + 60)
    transcript_make(ID, status=Transcript.Status.RUNNING, attempts=1, started_at=started)
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    assert "Transcribing… (next in line)" in fragment
    assert Transcript.objects.get(followup_id=ID).status == Transcript.Status.QUEUED


def test_done_when_polled_the_waveform_joins_the_players_seek_bar(qa_client, db):
    transcript_make(ID, status=Transcript.Status.RUNNING, segments=[])
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    assert "hx-swap-oob" not in fragment
    Transcript.objects.filter(followup_id=ID).update(status=Transcript.Status.DONE)
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    added = html_one(fragment, "div", hx_swap_oob=True)
    # Into the player's seek bar, unless one is drawn there already.
    assert html_attribute(added, "hx-swap-oob") == (
        "beforeend:[data-player-track]:not(:has([data-seekbar-waveform]))"
    )
    assert html_find(added, "rect", data_player_played=True)
    # Without peaks there is nothing to add.
    Transcript.objects.filter(followup_id=ID).update(peaks=[])
    assert "hx-swap-oob" not in qa_client.get(PAGE, **POLL).content.decode()


def test_polling_stops_when_done(qa_client, db):
    transcript_make(ID)
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    assert "hx-trigger" not in fragment
    assert "Anna" in fragment
    assert _audit("transcript_view") == [("shown", ID, "Digits masked")]


# --- Failed, and "Try again" ------------------------------------------------------------------


def test_a_failure_says_why_and_offers_to_try_again(qa_client, db):
    transcript_make(
        ID,
        status=Transcript.Status.FAILED,
        failure="The recording's link had expired.",
        retryable=True,
        segments=[],
    )
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    assert "No transcript: The recording&#x27;s link had expired." in fragment
    assert f'hx-post="{RETRY}"' in fragment
    assert 'name="csrfmiddlewaretoken"' in fragment
    assert "hx-trigger" not in fragment


def test_a_failure_that_would_fail_again_offers_no_retry(qa_client, db):
    transcript_make(
        ID, status=Transcript.Status.FAILED, failure="This is not audio.", retryable=False
    )
    fragment = qa_client.get(PAGE, **POLL).content.decode()
    assert "No transcript: This is not audio." in fragment
    assert "Try again" not in fragment


def test_try_again_queues_it_and_goes_back_to_the_page(qa_client, db):
    transcript_make(ID, status=Transcript.Status.FAILED, failure="Expired.", retryable=True)
    response = qa_client.post(RETRY)
    assert response.status_code == 303
    assert response["Location"] == f"{DETAIL}#transcript"
    assert Transcript.objects.get(followup_id=ID).status == Transcript.Status.QUEUED


def test_try_again_with_htmx_answers_the_polling_panel(qa_client, db):
    transcript_make(ID, status=Transcript.Status.FAILED, failure="Expired.", retryable=True)
    fragment = qa_client.post(RETRY, **POLL).content.decode()
    assert "Transcribing…" in fragment
    assert 'hx-trigger="every 3s"' in fragment


def test_try_again_needs_a_post_and_the_right_to_listen(qa_client, viewer_client, db):
    transcript_make(ID, status=Transcript.Status.FAILED, failure="Expired.", retryable=True)
    assert qa_client.get(RETRY).status_code == 405
    assert viewer_client.post(RETRY).status_code == 403
    assert Transcript.objects.get(followup_id=ID).status == Transcript.Status.FAILED


# --- The page of its own ----------------------------------------------------------------------


def test_the_transcript_page_reads_without_javascript(qa_client, db):
    transcript_make(ID)
    response = qa_client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert html_texts(body, "h1") == [f"Transcript of followup {ID}"]
    assert html_find(body, "a", class_="transcript-time mono", href=f"{DETAIL}?t=3#recording")
    assert "Comment here" not in body
    assert "masked" in body
    assert "4970" not in body
    assert _audit("transcript_view") == [("shown", ID, "Digits masked")]


def test_no_transcript_yet_is_a_404(qa_client, db):
    response = qa_client.get(PAGE)
    assert response.status_code == 404
    assert "No transcript yet" in response.content.decode()


def test_a_transcript_being_made_says_so(qa_client, db):
    transcript_make(ID, status=Transcript.Status.RUNNING, progress=0.1)
    response = qa_client.get(PAGE)
    assert response.status_code == 200
    assert "Transcribing… 10%" in response.content.decode()


# --- WebVTT ------------------------------------------------------------------------------------


def test_webvtt_download(manager_client, db):
    transcript_make(ID)
    response = manager_client.get(VTT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="followup-{ID}-transcript.vtt"'
    text = response.content.decode()
    assert text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.400\n<v Agent>Hello,")
    assert "<v Debtor>My card is 4970 1012 3456 7890." in text
    assert _audit("transcript_download") == [("shown", ID, "")]


def test_webvtt_is_masked_too(qa_client, db):
    transcript_make(ID)
    text = qa_client.get(VTT).content.decode()
    assert "<v Debtor>My card is •••• •••• •••• •890." in text
    assert "4970" not in text
    assert _audit("transcript_download") == [("shown", ID, "Digits masked")]


def test_no_webvtt_before_it_is_done(qa_client, db):
    transcript_make(ID, status=Transcript.Status.QUEUED)
    assert qa_client.get(VTT).status_code == 404
    assert _audit("transcript_download") == [
        ("not_found", ID, "no transcript of this followup yet")
    ]


# --- Who, and bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, VTT])
def test_without_the_right_to_listen_it_is_refused_and_audited(viewer_client, url):
    transcript_make(ID)
    response = followup_page(viewer_client, url)
    assert response.status_code == 403
    assert "Anna" not in response.content.decode()
    action = "transcript_download" if url == VTT else "transcript_view"
    assert _audit(action) == [("denied", ID, "No permission to listen to recordings")]


@pytest.mark.parametrize(
    "url", ["/followups/bad%20id!/transcript/", "/followups/bad%20id!/transcript.vtt"]
)
def test_a_bad_id_is_a_400(qa_client, url):
    response = followup_page(qa_client, url)
    assert response.status_code == 400
    assert AuditEntry.objects.get().outcome == "rejected_input"


def test_signed_out_people_are_sent_to_sign_in(client, db):
    transcript_make(ID)
    response = client.get(VTT)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
