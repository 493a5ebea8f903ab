"""The recording player's server side: the fragment and its data attributes, `?t=` links, and
the view that hands the player a fresh link."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from followups import presentation
from followups.recording import (
    MAX_LINK_SECONDS_LEFT,
    recording_link_seconds_left,
    recording_start_parse,
    recording_start_past_end,
)
from sandbox.data import EXAMPLES, FAULT_IDS
from tests.support.html import (
    assert_in_html,
    html_attribute,
    html_has,
    html_one,
    html_text,
    html_texts,
)

HTMX = {"HX-Request": "true"}
# An empty URLconf, for the test of the fragment without its endpoints.
urlpatterns: list[object] = []
S3_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("1:30", 90),
        ("01:30", 90),
        ("0:05", 5),
        ("1:02:03", 3723),
        ("1m30s", 90),
        ("1M30S", 90),
        ("2m", 120),
        ("45s", 45),
        ("1h", 3600),
        ("1h2m3s", 3723),
        (" 1:30 ", 90),
        # Fractions are cut, as in a comment's moment.
        ("1.5", 1),
    ],
)
def test_start_times_people_write(raw, seconds):
    assert recording_start_parse(raw=raw) == seconds


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "0",
        "0:00",
        "-5",
        "abc",
        "1:5",
        "1:75",
        "1:60:00",
        "1m30",
        "m",
        "h",
        "٩٠",  # Arabic-Indic digits are digits to Python, not to a URL
        "90 s",
        "99999999",
        "25h",
        "1" * 17,
        "<script>",
        "1:30#x",
    ],
)
def test_bad_start_times_are_ignored(raw):
    assert recording_start_parse(raw=raw) is None


def test_a_start_at_or_past_the_end_is_ignored():
    assert recording_start_parse(raw="2:59", duration_ms=180_000) == 179
    assert recording_start_parse(raw="3:00", duration_ms=180_000) is None
    assert recording_start_parse(raw="5:00", duration_ms=180_000) is None
    assert recording_start_parse(raw="5:00", duration_ms=None) == 300


def test_seconds_left_on_a_link():
    now = datetime(2024, 1, 22, 10, 0, tzinfo=UTC)
    assert recording_link_seconds_left(expires_at=None, now=now) is None
    assert recording_link_seconds_left(expires_at=now + timedelta(seconds=3599.9), now=now) == 3599
    assert recording_link_seconds_left(expires_at=now - timedelta(hours=2), now=now) == 0
    assert recording_link_seconds_left(expires_at=datetime(2024, 1, 22, 11), now=now) is None
    # Years ahead is not believed: the player's timer would overflow and renew in a loop.
    far = datetime(9999, 12, 30, tzinfo=UTC)
    assert recording_link_seconds_left(expires_at=far, now=now) == MAX_LINK_SECONDS_LEFT


# --- The fragment on the followup page ---------------------------------------------------------


@pytest.fixture
def upstream_returns(upstream_returns, settings):
    """The shared fixture (conftest.py), with recordings allowed from s3.amazonaws.com."""
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    return upstream_returns


def _player(body: str) -> dict[str, str]:
    """The player's attributes, for its script."""
    player = html_one(body, "div", class_="player", data_player=True)
    return {name: value or "" for name, value in player.attributes}


def test_the_player_carries_what_its_script_needs(manager_client, upstream_returns):
    upstream_returns(
        audio_url=S3_URL,
        duration_ms=180_000,
        media_urls_expire_at=timezone.now() + timedelta(minutes=10),
    )
    body = manager_client.get("/followups/abc123def456/").content.decode()
    player = _player(body)
    assert "data-refresh-url" not in player
    assert "data-seconds-left" not in player
    assert player["data-played-url"] == "/followups/abc123def456/recording/played/"
    assert len(player["data-csrf-token"]) >= 32
    assert player["data-duration-ms"] == "180000"
    assert player["data-start"] == ""
    # The browser's own controls until the script takes over, on the recording's stable
    # address (the signed link stays on the server); the duration before any audio.
    audio = html_one(body, "audio", class_="recording-audio", preload="metadata")
    assert html_has(audio, "controls")
    assert html_attribute(audio, "src") == "/followups/abc123def456/recording/audio"
    assert "X-Amz-Signature" not in body
    duration = html_one(body, "span", class_="player-time player-time-total")
    assert html_has(duration, "data-player-duration")
    assert html_text(duration) == "3:00"
    assert 'aria-valuetext="0:00 of 3:00"' in body
    assert html_has(html_one(body, "div", class_="player-ui", data_player_ui=True), "hidden")
    assert html_texts(body, "summary") == ["Keyboard shortcuts"]
    for label in ("Play", "Back 10 seconds", "Forward 10 seconds", "Mute"):
        assert f'aria-label="{label}"' in body
    assert 'aria-label="Position"' in body
    status = html_one(body, "*", data_player_status=True)
    assert (html_attribute(status, "role"), html_attribute(status, "aria-live")) == (
        "status",
        "polite",
    )
    # htmx keeps no snapshot with the signed link in it.
    assert html_one(
        body, "section", id="recording", aria_labelledby="recording-title", hx_history="false"
    )


def test_the_page_has_no_inline_script_style_or_handler(manager_client, upstream_returns):
    upstream_returns(audio_url=S3_URL)
    body = manager_client.get("/followups/abc123def456/?t=1:30").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert_in_html('<script type="module" src="/static/js/player/main.js"></script>', body)
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"\son[a-z]+=", body)


@pytest.mark.parametrize(
    ("t", "start", "shown"),
    [
        ("1:30", "90", "1:30"),
        ("90", "90", "1:30"),
        ("1m30s", "90", "1:30"),
        ("2:59", "179", "2:59"),
        ("3:00", "", "0:00"),  # the end of a 3-minute call
        ("abc", "", "0:00"),
        ("-10", "", "0:00"),
        ("1:75", "", "0:00"),
        ('"><script>', "", "0:00"),
    ],
)
def test_a_link_to_a_moment(manager_client, upstream_returns, t, start, shown):
    upstream_returns(audio_url=S3_URL, duration_ms=180_000)
    response = manager_client.get("/followups/abc123def456/", {"t": t})
    assert response.status_code == 200
    body = response.content.decode()
    assert _player(body)["data-start"] == start
    assert html_texts(body, "span", class_="player-time player-time-current") == [shown]
    seek = html_one(body, "input", aria_label="Position")
    assert html_attribute(seek, "value") == (start or "0")
    assert html_attribute(seek, "aria-valuetext") == f"{shown} of 3:00"
    assert "<script>" not in body


def test_a_moment_past_the_end_is_explained_near_the_player(manager_client, upstream_returns):
    upstream_returns(audio_url=S3_URL, duration_ms=57_000)
    body = manager_client.get("/followups/abc123def456/", {"t": "1:30"}).content.decode()
    assert _player(body)["data-start"] == ""
    assert html_texts(body, "p", data_player_note=True) == [
        "That moment (1:30) is past the end of the recording (0:57); starting from the beginning."
    ]
    for t in ("0:30", "", "abc"):
        body = manager_client.get("/followups/abc123def456/", {"t": t}).content.decode()
        assert "past the end" not in body


def test_a_start_past_the_end_is_told_apart_from_a_bad_one():
    assert recording_start_past_end(raw="1:30", duration_ms=57_000) == 90
    assert recording_start_past_end(raw="0:57", duration_ms=57_000) == 57
    assert recording_start_past_end(raw="0:56", duration_ms=57_000) is None
    assert recording_start_past_end(raw="1:30", duration_ms=None) is None
    assert recording_start_past_end(raw="junk", duration_ms=57_000) is None


def test_unknown_length_and_expiry(manager_client, upstream_returns):
    upstream_returns(audio_url=S3_URL, duration_ms=None, media_urls_expire_at=None)
    body = manager_client.get("/followups/abc123def456/?t=5:00").content.decode()
    player = _player(body)
    assert player["data-duration-ms"] == ""
    assert player["data-start"] == "300"
    assert "None" not in body


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"audio_url": None}, "No recording for this followup."),
        ({"audio_url": "https://evil.example/call.mp3"}, "Recording unavailable"),
        ({"audio_url": 42}, "Recording unavailable"),  # sent with a wrong type
    ],
)
def test_states_without_a_player(manager_client, upstream_returns, fields, text):
    upstream_returns(type="call", **fields)
    body = manager_client.get("/followups/abc123def456/?t=30").content.decode()
    assert any(
        text in state for state in html_texts(body, "p", class_="media-state", role="status")
    )
    assert "data-player" not in body
    assert "<audio" not in body
    assert "evil.example" not in body


def test_without_the_played_endpoint_the_player_still_renders(rf, followup_make, settings):
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    followup = followup_make(audio_url=S3_URL)
    context = {"detail": presentation.followup_detail(followup=followup), "followup": followup}
    # This module as the URLconf: no routes at all, so neither of the player's endpoints.
    settings.ROOT_URLCONF = __name__
    html = render_to_string("followups/_recording.html", context, request=rf.get("/"))
    player = _player(html)
    assert "data-played-url" not in player
    assert "<audio" in html


# --- The fresh link -----------------------------------------------------------------------------


def test_the_fresh_fragment_asks_getbill_every_time(manager_client, upstream_returns, fake_getbill):
    upstream_returns(audio_url=S3_URL, media_urls_expire_at=timezone.now() + timedelta(hours=1))
    for _ in range(2):
        response = manager_client.get("/followups/abc123def456/recording/", headers=HTMX)
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith("<section")
        assert html_one(body, "section", class_="card recording", id="recording")
        assert "<html" not in body
        # The signed link itself, where the page has the stable address.
        assert html_attribute(html_one(body, "audio"), "src") == S3_URL
        assert "no-store" in response["Cache-Control"]
        assert "HX-Request" in response["Vary"]
    assert fake_getbill.followup_ids_asked() == ["abc123def456", "abc123def456"]


def test_a_fresh_link_from_the_sandbox_is_newly_signed(manager_client, sandbox):
    followup_id = EXAMPLES["call_deal_found"]
    response = manager_client.get(f"/followups/{followup_id}/recording/", headers=HTMX)
    assert response.status_code == 200
    src = html_attribute(html_one(response.content.decode(), "audio"), "src") or ""
    assert src.startswith(f"{sandbox}/sandbox/media/")
    assert "X-Amz-Signature=" in src


def test_the_fresh_fragment_without_an_allowed_link(manager_client, upstream_returns):
    upstream_returns(audio_url="https://evil.example/call.mp3")
    response = manager_client.get("/followups/abc123def456/recording/", headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<audio" not in body
    assert "evil.example" not in body
    assert "Recording unavailable" in body


def test_opened_in_a_tab_the_address_leads_to_the_page(
    manager_client, upstream_returns, fake_getbill
):
    upstream_returns(audio_url=S3_URL)
    response = manager_client.get("/followups/abc123def456/recording/")
    assert response.status_code == 302
    assert response["Location"] == "/followups/abc123def456/#recording"
    assert fake_getbill.followup_ids_asked() == []


@pytest.mark.parametrize(
    ("followup_id", "status"),
    [
        (FAULT_IDS["not_found"], 404),
        (FAULT_IDS["forbidden"], 403),
        (FAULT_IDS["server_error"], 502),
        ("bad%20id!", 400),
    ],
)
def test_failures_answer_with_their_status_and_a_short_text(
    manager_client, sandbox, followup_id, status
):
    response = manager_client.get(f"/followups/{followup_id}/recording/", headers=HTMX)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert 0 < len(body) < 500
    assert "Traceback" not in body
    assert "no-store" in response["Cache-Control"]


def test_rate_limited_says_when_to_retry(manager_client, sandbox):
    response = manager_client.get(
        f"/followups/{FAULT_IDS['rate_limited']}/recording/", headers=HTMX
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_only_get(manager_client, upstream_returns):
    upstream_returns(audio_url=S3_URL)
    response = manager_client.post("/followups/abc123def456/recording/", headers=HTMX)
    assert response.status_code == 405


def test_signed_out_gets_no_link(client: Client, upstream_returns, fake_getbill):
    upstream_returns(audio_url=S3_URL)
    response = client.get("/followups/abc123def456/recording/", headers=HTMX)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert fake_getbill.followup_ids_asked() == []
