"""The recording's stable address, `/followups/<id>/recording/audio`: a redirect to a freshly
signed link, never stored, with the "listen" permission, one audit entry per link handed out,
and GetBill's failures as error pages with their status."""

from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sandbox.data import EXAMPLES, FAULT_IDS
from sandbox.state import sandbox_state_reset
from tests.support.accounts import signed_in_client
from tests.support.pages import audit_rows, signed_link_redirect

CALL = EXAMPLES["call_deal_found"]
URL = f"/followups/{CALL}/recording/audio"
S3_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"


def _entries() -> list[tuple[Any, ...]]:
    return audit_rows("recording_url_refresh", "outcome", "followup_id")


@pytest.mark.parametrize("role_client", ["manager_client", "qa_client"])
def test_the_address_redirects_to_a_fresh_signed_link_never_stored(sandbox, request, role_client):
    client = request.getfixturevalue(role_client)
    response = client.get(URL)
    signed_link_redirect(response, link_start=f"{sandbox}/sandbox/media/recordings/")
    assert response.content == b""
    assert _entries() == [("shown", CALL)]


def test_the_page_holds_the_address_and_no_signed_link(sandbox, manager_client):
    body = manager_client.get(f"/followups/{CALL}/").content.decode()
    assert f'src="{URL}"' in body
    assert "X-Amz-Signature" not in body.split('id="recording"')[1].split("</section>")[0]


def test_each_link_handed_out_is_one_entry_and_the_page_just_seen_costs_no_request(
    manager_client, upstream_returns, fake_getbill
):
    upstream_returns(audio_url=S3_URL)
    manager_client.get("/followups/abc123def456/")
    for _ in range(2):
        response = manager_client.get("/followups/abc123def456/recording/audio")
        assert response.status_code == 302
        assert response["Location"] == S3_URL
    # The followup the page fetched is in the shared cache: its link has minutes left.
    assert fake_getbill.followup_ids_asked() == ["abc123def456"]
    assert _entries() == [("shown", "abc123def456"), ("shown", "abc123def456")]


def test_the_address_needs_the_listen_permission(sandbox, manager_user):
    listen = Permission.objects.get(codename="listen_recording")
    manager_user.groups.first().permissions.remove(listen)
    client = signed_in_client(manager_user)
    assert client.get(f"/followups/{CALL}/").status_code == 200
    response = client.get(URL)
    assert response.status_code == 403
    assert "Location" not in response
    assert _entries() == [("denied", CALL)]


def test_without_any_role_the_address_is_refused(sandbox, plain_client):
    assert plain_client.get(URL).status_code == 403
    assert [outcome for outcome, _ in _entries()] == ["denied"]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"audio_url": None}, "no recording"),
        ({"audio_url": "https://evil.example/call.mp3"}, "not on an allowed host"),
        ({"audio_url": 42}, "sent with a wrong type"),
    ],
)
def test_no_recording_the_dashboard_may_play_is_a_404(
    manager_client, upstream_returns, fields, detail
):
    upstream_returns(type="call", **fields)
    response = manager_client.get("/followups/abc123def456/recording/audio")
    assert response.status_code == 404, detail
    assert "Location" not in response
    body = response.content.decode()
    assert "This followup has no recording to play." in body
    assert "evil.example" not in body
    assert [outcome for outcome, _ in _entries()] == ["not_found"]


@pytest.mark.parametrize(
    ("followup_id", "status"),
    [
        (FAULT_IDS["not_found"], 404),
        (FAULT_IDS["forbidden"], 403),
        (FAULT_IDS["server_error"], 502),
        (FAULT_IDS["bad_gateway_html"], 502),
        (FAULT_IDS["malformed_json"], 502),
        (FAULT_IDS["wrong_id"], 502),
        (FAULT_IDS["rate_limited"], 429),
        ("bad%20id!", 400),
    ],
)
def test_bad_ids_and_getbill_failures_are_error_pages_with_their_status(
    sandbox, manager_client, followup_id, status
):
    response = manager_client.get(f"/followups/{followup_id}/recording/audio")
    assert response.status_code == status
    assert "Location" not in response
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Traceback" not in body
    assert "X-Amz-Signature" not in body
    if status == 429:
        assert int(response["Retry-After"]) > 0


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text(min_size=1, max_size=80))
def test_anything_in_the_address_is_a_redirect_or_a_clear_error(sandbox, manager_client, raw):
    sandbox_state_reset()
    response = manager_client.get(f"/followups/{quote(raw, safe='')}/recording/audio")
    assert response.status_code in {302, 400, 403, 404, 429, 502}
    body = response.content.decode()
    assert "Traceback" not in body
    if response.status_code == 302:
        assert "X-Amz-Signature=" in response["Location"]
    else:
        assert "Location" not in response


def test_signed_out_the_address_asks_to_sign_in(client: Client, fake_getbill):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert fake_getbill.followup_ids_asked() == []


def test_the_address_is_a_get(manager_client):
    assert manager_client.post(URL).status_code == 405
