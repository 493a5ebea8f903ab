"""What a new user stumbles on, page by page (issue 17), through Django's test client against the
sandbox: the session's keep-alive, `?t=` notices, error pages, the lookup boxes, values in words,
the sandbox's sign-in and home page, the audit trail admin."""

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from followups import presentation
from followups.models import AuditAction, AuditEntry, AuditOutcome
from sandbox.data import EXAMPLES, FAULT_IDS

CALL = EXAMPLES["call_deal_found"]


def _body(client: Client, url: str, **extra) -> tuple[int, str]:
    response = client.get(url, **extra)
    return response.status_code, response.content.decode()


# --- The session while listening ----------------------------------------------------------------


def test_the_keepalive_saves_the_session_with_a_new_end(manager_client, settings):
    from django.contrib.sessions.models import Session

    session_key = manager_client.session.session_key
    # Signed in with the default idle time; a shorter one from now on shows the session saved.
    settings.SESSION_COOKIE_AGE = 600
    response = manager_client.post("/session/keepalive/")
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert response.cookies["sessionid"]["max-age"] == 600
    left = Session.objects.get(session_key=session_key).expire_date - timezone.now()
    assert 590 < left.total_seconds() <= 600


def test_the_keepalive_of_an_ended_session_is_the_sign_in_redirect(client):
    response = client.post("/session/keepalive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_keepalive_is_a_post(manager_client):
    assert manager_client.get("/session/keepalive/").status_code == 405


def test_the_player_knows_the_idle_time_and_where_to_ping(sandbox, manager_client, settings):
    settings.SESSION_COOKIE_AGE = 1234
    _, body = _body(manager_client, f"/followups/{CALL}/")
    assert 'data-keepalive-url="/session/keepalive/" data-session-idle-seconds="1234"' in body
    assert "hidden data-player-sign-in>Sign in again</a>" in body


def test_the_sign_in_page_says_why_when_it_leads_back(client, settings):
    settings.SESSION_COOKIE_AGE = 1800
    _, body = _body(client, f"/accounts/login/?next=/followups/{CALL}/%3Ft%3D0:20")
    assert (
        "Sign in to go on where you were. A session ends after 30 minutes without activity" in body
    )
    _, plain = _body(client, "/accounts/login/")
    assert "go on where you were" not in plain


# --- Links to a moment --------------------------------------------------------------------------


@pytest.mark.parametrize("t", ["abc", "1:75", "-10", "25h", '"><b>x'])
def test_an_unreadable_moment_is_explained_near_the_player(sandbox, manager_client, t):
    _, body = _body(manager_client, f"/followups/{CALL}/", data={"t": t})
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
    _, body = _body(manager_client, f"/followups/{CALL}/", data={"t": t})
    assert "data-player-note" not in body


def test_the_new_keys_are_listed(sandbox, manager_client):
    _, body = _body(manager_client, f"/followups/{CALL}/")
    for keys, does in [
        ("<kbd>m</kbd>", "Mute or sound on"),
        ("<kbd>Home</kbd> or <kbd>0</kbd>", "Jump to the start"),
        ("<kbd>End</kbd>", "Jump to the end"),
    ]:
        assert f"<div><dt>{keys}</dt><dd>{does}</dd></div>" in body
    assert 'aria-keyshortcuts="m" data-player-mute' in body


# --- Error pages ----------------------------------------------------------------------------------


def _panel(body: str) -> str:
    match = re.search(r'<section class="error-panel".*?</section>', body, re.S)
    assert match is not None
    return match.group(0)


@pytest.mark.parametrize(
    "fault", ["server_error", "bad_gateway_html", "malformed_json", "wrong_id", "rate_limited"]
)
def test_every_error_page_has_try_again_and_the_time(sandbox, manager_client, fault):
    url = f"/followups/{FAULT_IDS[fault]}/"
    _, body = _body(manager_client, url)
    panel = _panel(body)
    assert f'<a class="button" href="{url}" data-retry>' in panel
    assert "Try again</a>" in panel
    now = timezone.localtime()
    assert re.search(rf"Happened at <time>{now:%Y-%m-%d} \d\d:\d\d:\d\d UTC</time>", panel)


def test_the_reference_shows_when_the_request_has_one(rf, manager_user):
    from django.template.loader import render_to_string

    request = rf.get("/followups/x/")
    request.user = manager_user
    request.request_id = "0f3c9a"
    html = render_to_string("errors/_error_reference.html", {}, request=request)
    assert 'reference <code class="error-reference-id">0f3c9a</code>. Quote both' in html
    del request.request_id
    html = render_to_string("errors/_error_reference.html", {}, request=request)
    assert "reference <code" not in html
    assert "Quote it if you ask for help." in html


def test_the_429_page_counts_down_from_the_seconds_left(sandbox, manager_client):
    status, body = _body(manager_client, f"/followups/{FAULT_IDS['rate_limited']}/")
    assert status == 429
    seconds = re.search(r'data-countdown data-countdown-seconds="(\d+)"', body)
    assert seconds is not None
    assert 28 <= int(seconds.group(1)) <= 30
    assert re.search(
        r"<span data-countdown-text>You can try again <time[^>]*>in \d+\u00a0seconds?</time>", body
    )


def test_the_plain_error_pages_have_try_again(manager_client):
    _, body = _body(manager_client, "/no-such-page/")
    assert '<a class="button" href="/no-such-page/" data-retry>' in _panel(body)


def test_an_error_page_names_its_two_search_landmarks_apart(sandbox, manager_client):
    _, body = _body(manager_client, f"/followups/{FAULT_IDS['server_error']}/")
    names = re.findall(r'role="search" aria-label="([^"]+)"', body)
    assert sorted(names) == ["Look up a followup", "Quick lookup"]
    assert 'role="search"' not in re.sub(r'role="search" aria-label="[^"]+"', "", body)


# --- The lookup boxes while a lookup runs ---------------------------------------------------------


def test_the_lookup_boxes_show_they_are_working_and_send_once(sandbox, manager_client):
    _, body = _body(manager_client, f"/followups/{CALL}/")
    header = re.search(r'<form class="header-search".*?</form>', body, re.S)
    assert header is not None
    form = header.group(0)
    assert (
        'hx-indicator="#header-q-working" hx-disabled-elt="find button" hx-sync="this:drop"' in form
    )
    assert (
        '<span class="lookup-working htmx-indicator" id="header-q-working">Looking up…</span>'
        in form
    )
    assert (
        '<label class="visually-hidden" for="header-q">Followup ID or GetBill link</label>' in form
    )
    _, home = _body(manager_client, "/")
    assert 'hx-indicator="#q-working" hx-disabled-elt="find button" hx-sync="this:drop"' in home
    assert 'id="q-working">Looking up…</span>' in home


# --- Values newer than the documentation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("carrier_pigeon", "Carrier pigeon"),
        ("escalated_legal", "Escalated legal"),
        ("voicemail_detected", "Voicemail detected"),
        ("x", "X"),
        ("a__b--c", "A b c"),
    ],
)
def test_a_newer_value_in_words(value, words):
    assert presentation.value_words(value=value) == words


def test_newer_values_read_as_words_on_the_page(sandbox, manager_client):
    _, body = _body(manager_client, f"/followups/{EXAMPLES['unknown_enums']}/")
    for raw in ("carrier_pigeon", "escalated_legal", "voicemail_detected"):
        assert f">{raw}<" not in body
    assert "<span>Carrier pigeon</span>" in body
    assert '<span class="visually-hidden">Status: </span>Escalated legal</span>' in body
    assert "Voicemail detected" in body
    assert "GetBill sent “carrier_pigeon”" in unescape(body)


# --- The detail page's header ---------------------------------------------------------------------


def test_the_retry_marker_is_no_pill_and_the_debt_is_linked_once(sandbox, manager_client):
    _, body = _body(manager_client, f"/followups/{EXAMPLES['retry']}/")
    assert re.search(r'<span class="marker" title="[^"]+">.*?</svg>Retry</span>', body)
    assert 'badge badge-neutral">' not in body.split('class="badges"')[1].split("</div>")[0]
    header = re.search(r'<header class="card followup-header">.*?</header>', body, re.S)
    assert header is not None
    assert "/debts/" not in header.group(0)
    assert body.count('href="/debts/') == 1


# --- The sandbox's first visit --------------------------------------------------------------------


def test_the_sign_in_page_names_the_demo_account(client, django_user_model):
    _, body = _body(client, "/accounts/login/")
    assert "user name <code>demo</code> and password <code>demo-followups</code>" in body
    # The account it names is the one the command creates.
    import io

    from django.core.management import call_command

    call_command("sandbox_demo_account", stdout=io.StringIO())
    assert django_user_model.objects.get(username="demo").check_password("demo-followups")


def test_the_empty_home_page_offers_sample_followups(manager_client):
    _, body = _body(manager_client, "/")
    samples = re.search(r'<div class="sandbox-samples">.*?</div>', body, re.S)
    assert samples is not None
    links = re.findall(r'<a href="([^"]+)">', samples.group(0))
    assert f"/followups/{EXAMPLES['call_deal_found']}/" in links
    assert f"/debts/{EXAMPLES['big_debt']}/followups/" in links
    assert len(links) == 6


def test_the_samples_go_once_something_was_viewed(sandbox, manager_client):
    manager_client.get(f"/followups/{CALL}/")
    _, body = _body(manager_client, "/")
    assert "sandbox-samples" not in body


def test_without_the_sandbox_no_demo_account_or_samples(client, manager_client, settings):
    templates = settings.TEMPLATES
    processors = templates[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **templates[0],
            "OPTIONS": {
                **templates[0]["OPTIONS"],
                "context_processors": [p for p in processors if not p.startswith("sandbox.")],
            },
        }
    ]
    _, login = _body(client, "/accounts/login/")
    _, home = _body(manager_client, "/")
    assert "demo" not in login
    assert "sandbox-samples" not in home


# --- The audit trail admin ------------------------------------------------------------------------


def test_the_audit_trail_links_ids_and_keeps_times_whole(auditor_client, manager_user):
    for outcome, followup_id, debt_id in [
        (AuditOutcome.SHOWN, "abc123def456", "xyz789ghi012"),
        (AuditOutcome.REJECTED_INPUT, "not an id", ""),
    ]:
        AuditEntry.objects.create(
            user=manager_user,
            username=manager_user.username,
            action=AuditAction.LOOKUP,
            outcome=outcome,
            followup_id=followup_id,
            debt_id=debt_id,
        )
    _, body = _body(auditor_client, "/admin/followups/auditentry/")
    assert '<a href="/followups/abc123def456/"><code>abc123def456</code></a>' in body
    assert '<a href="/debts/xyz789ghi012/followups/"><code>xyz789ghi012</code></a>' in body
    assert "<code>not an id</code>" in body
    assert 'href="/followups/not' not in body
    assert '<link href="/static/css/admin.css" media="all" rel="stylesheet">' in body
    assert '<span class="visually-hidden">Search the audit trail</span></label>' in body
    assert 'role="search" aria-label="Search the audit trail"' in body
