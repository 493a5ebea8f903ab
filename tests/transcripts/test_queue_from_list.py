"""Queueing calls for transcription from the followups list: who may, CSRF, input read by a
form, one job per followup whoever asks, and GetBill not asked (the list's kept answers say
which calls have a recording)."""

import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sandbox.data import FOLLOWUP_MEDIA, SANDBOX_FOLLOWUPS
from sandbox.state import requests_counted
from transcripts.models import Transcript

QUEUE = "/transcripts/queue/"
LIST = "/followups/"
FIRST_PAGE = [r["id"] for r in SANDBOX_FOLLOWUPS[:25]]
RECORDED = [i for i in FIRST_PAGE if "audio_url" in FOLLOWUP_MEDIA.get(i, {})]
NOT_RECORDED = [i for i in FIRST_PAGE if i not in RECORDED]
CHECKBOX = re.compile(r'<input type="checkbox"\s+name="followup_id"\s+value="([^"]+)"')


@pytest.fixture
def listed(sandbox: str, manager_client: Any) -> Any:
    """A manager who opened the list's first page (its followups are kept answers)."""
    assert manager_client.get(LIST).status_code == 200
    return manager_client


def test_the_first_page_has_calls_of_both_kinds() -> None:
    assert len(RECORDED) >= 3
    assert NOT_RECORDED


def test_managers_get_a_checkbox_per_call_with_a_recording(sandbox: str, manager_client: Any):
    body = manager_client.get(LIST).content.decode()
    assert CHECKBOX.findall(body) == RECORDED
    assert f'formaction="{QUEUE}"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_qa_reviewers_get_no_checkboxes(sandbox: str, qa_client: Any) -> None:
    body = qa_client.get(LIST).content.decode()
    assert CHECKBOX.findall(body) == []
    assert QUEUE not in body


def test_ticked_calls_are_queued_once_and_the_list_says_so(listed: Any, scripted_engine: Any):
    asked = requests_counted()
    response = listed.post(
        QUEUE, {"followup_id": [*RECORDED[:2], NOT_RECORDED[0]], "next": f"{LIST}?page=1"}
    )
    assert response.status_code == 303
    assert response["Location"] == f"{LIST}?page=1"
    assert _queued_ids() == set(RECORDED[:2])
    assert requests_counted() == asked
    # Again, with one more: the first two already have their job.
    listed.post(QUEUE, {"followup_id": RECORDED[:3]})
    assert Transcript.objects.exclude(status="known").count() == 3
    body = listed.get(LIST).content.decode()
    assert "1 call queued for transcription; 2 already had a transcript or a job." in body


def test_the_message_says_what_was_not_queued(listed: Any, scripted_engine: Any) -> None:
    response = listed.post(QUEUE, {"followup_id": [RECORDED[0], NOT_RECORDED[0]]}, follow=True)
    assert "1 call queued for transcription; 1 without a recording." in response.content.decode()


def test_with_htmx_the_list_region_comes_back_with_the_message(listed: Any, scripted_engine: Any):
    response = listed.post(
        QUEUE,
        {"followup_id": RECORDED[:1], "next": LIST},
        headers={"HX-Request": "true", "HX-Target": "followups-results"},
        follow=True,
    )
    body = response.content.decode()
    assert "1 call queued for transcription." in body
    assert "<html" not in body


def test_a_call_not_on_a_page_opened_recently_is_not_queued(manager_client: Any, sandbox: str):
    # Nothing kept: the manager did not open the list; GetBill is not asked either.
    response = manager_client.post(QUEUE, {"followup_id": RECORDED[:1]}, follow=True)
    assert "no longer on a list page you opened" in response.content.decode()
    assert not Transcript.objects.exclude(status="known").exists()


def test_qa_reviewers_may_not_queue_from_the_list(sandbox: str, qa_client: Any) -> None:
    qa_client.get(LIST)
    response = qa_client.post(QUEUE, {"followup_id": RECORDED[:1]})
    assert response.status_code == 403
    assert not Transcript.objects.exclude(status="known").exists()


def test_signed_out_nothing_is_queued(client: Any, db: None) -> None:
    assert client.post(QUEUE, {"followup_id": RECORDED[:1]}).status_code == 302
    assert not Transcript.objects.exclude(status="known").exists()


def test_without_the_csrf_token_the_post_is_refused(manager_user: Any, sandbox: str) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager_user)
    assert browser.post(QUEUE, {"followup_id": RECORDED[:1]}).status_code == 403
    assert not Transcript.objects.exclude(status="known").exists()


def test_a_get_is_refused(listed: Any) -> None:
    assert listed.get(QUEUE, {"followup_id": RECORDED[:1]}).status_code == 405


@pytest.mark.parametrize(
    "sent",
    [
        {},
        {"followup_id": ""},
        {"followup_id": "../admin"},
        {"followup_id": [f"id{n:010d}" for n in range(26)]},
    ],
)
def test_input_that_names_no_calls_is_a_400(listed: Any, sent: dict[str, Any]) -> None:
    response = listed.post(QUEUE, sent)
    assert response.status_code == 400
    assert not Transcript.objects.exclude(status="known").exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/admin/"])
def test_it_only_goes_back_to_the_list(listed: Any, scripted_engine: Any, next_url: str) -> None:
    response = listed.post(QUEUE, {"followup_id": RECORDED[:1], "next": next_url})
    assert response["Location"] == LIST


def test_with_transcripts_off_nothing_is_queued(listed: Any, settings: Any) -> None:
    settings.TRANSCRIBE_ENGINE = "off"
    response = listed.post(QUEUE, {"followup_id": RECORDED[:1]}, follow=True)
    assert "Nothing was queued: Transcripts are turned off" in response.content.decode()
    assert not Transcript.objects.exclude(status="known").exists()


_sent_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(followup_ids=st.lists(_sent_text, max_size=30), next_url=_sent_text)
def test_whatever_is_sent_is_a_redirect_to_the_list_or_a_400(
    manager_client: Any, followup_ids: list[str], next_url: str
) -> None:
    response = manager_client.post(QUEUE, {"followup_id": followup_ids, "next": next_url})
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response["Location"].startswith(LIST)


def _queued_ids() -> set[str]:
    """The calls asked to be transcribed (not the calls the table only knows of)."""
    return set(Transcript.objects.exclude(status="known").values_list("followup_id", flat=True))
