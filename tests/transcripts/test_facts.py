"""The table of calls follows GetBill's answers as they pass through the client: calls come in
as known, and their facts are kept up to date."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from dashboard.after_response import AfterResponseMiddleware
from followups.getbill import AnswerMode, debt_followups_get, followup_answer_get
from tests.support.examples import DEBT_ID, FOLLOWUP_ID, followup_json
from transcripts.models import Transcript

pytestmark = pytest.mark.django_db


def test_a_new_answer_refreshes_the_facts(fake_getbill):
    Transcript.objects.create(followup_id=FOLLOWUP_ID, call_status="in_progress")
    fake_getbill.followup_add(status="no_answer", duration_ms=42000)

    followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)

    transcript = Transcript.objects.get()
    assert transcript.call_status == "no_answer"
    assert transcript.call_duration_ms == 42000
    assert transcript.call_type == "call"
    assert transcript.debt_id == DEBT_ID
    assert transcript.called_at == datetime(2024, 1, 22, 10, 30, tzinfo=UTC)
    assert transcript.facts_updated_at is not None


def test_a_page_of_a_debts_followups_refreshes_rows_and_puts_new_calls_in_as_known(fake_getbill):
    Transcript.objects.create(followup_id="call1", call_status="scheduled")
    fake_getbill.debts[DEBT_ID] = [
        followup_json(id="call1", status="deal_found"),
        followup_json(id="call2", status="no_answer", audio_url=None, pdf_url=None),
        followup_json(id="sms1", type="sms", status="sent", audio_url=None, pdf_url=None),
        followup_json(id="letter1", type="letter"),
    ]

    debt_followups_get(debt_id=DEBT_ID)

    rows = Transcript.objects.order_by("followup_id")
    assert list(rows.values_list("followup_id", "status", "call_status", "has_recording")) == [
        ("call1", Transcript.Status.QUEUED, "deal_found", True),
        # A call without a recording is in the table, and stays known.
        ("call2", Transcript.Status.KNOWN, "no_answer", False),
        # Not call-like, but GetBill gave it a recording: a call to the table.
        ("letter1", Transcript.Status.KNOWN, "deal_found", True),
    ]


def test_a_recording_once_seen_is_not_forgotten_by_an_answer_without_its_link(fake_getbill):
    fake_getbill.followup_add(status="in_progress")
    followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)
    assert Transcript.objects.get().has_recording
    fake_getbill.followup_add(status="deal_found", audio_url=None)

    followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)

    call = Transcript.objects.get()
    assert (call.call_status, call.has_recording) == ("deal_found", True)


def test_a_kept_copy_served_again_writes_nothing(fake_getbill, django_assert_num_queries):
    fake_getbill.followup_add(media_urls_expire_at=timezone.now() + timedelta(hours=1))
    followup_answer_get(followup_id=FOLLOWUP_ID)
    Transcript.objects.filter(followup_id=FOLLOWUP_ID).update(call_status="edited meanwhile")

    with django_assert_num_queries(0):
        followup_answer_get(followup_id=FOLLOWUP_ID)

    assert Transcript.objects.get().call_status == "edited meanwhile"


def test_unchanged_facts_are_not_written_again(fake_getbill):
    fake_getbill.followup_add()
    followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)
    first = Transcript.objects.get().facts_updated_at

    followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)

    assert Transcript.objects.get().facts_updated_at == first


def test_during_a_request_the_facts_are_written_once_the_response_is_sent(fake_getbill):
    fake_getbill.followup_add(status="no_answer")

    def page(request: HttpRequest) -> HttpResponse:
        followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)
        return HttpResponse("page")

    response = AfterResponseMiddleware(page)(RequestFactory().get("/"))
    assert not Transcript.objects.exists()
    # Closed as Django's test client closes a response, keeping the test's connection open.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert Transcript.objects.get().call_status == "no_answer"


def test_a_call_a_page_fetched_is_dated_when_the_answer_came_in_not_when_it_was_written(
    fake_getbill,
):
    # The followups list shows the calls learnt of after it opened as new; those its own
    # answer brought, written once it has been sent (maybe in the next second), are not.
    fake_getbill.followup_add(status="no_answer")
    received_at = datetime(2026, 3, 2, 9, 0, 0, 900_000, tzinfo=UTC)

    def page(request: HttpRequest) -> HttpResponse:
        followup_answer_get(followup_id=FOLLOWUP_ID, mode=AnswerMode.REFRESH)
        return HttpResponse("page")

    with time_machine.travel(received_at, tick=False):
        response = AfterResponseMiddleware(page)(RequestFactory().get("/"))
    request_finished.disconnect(close_old_connections)
    try:
        with time_machine.travel(received_at + timedelta(seconds=2), tick=False):
            response.close()
    finally:
        request_finished.connect(close_old_connections)

    call = Transcript.objects.get()
    assert call.created_at == received_at
    assert call.facts_updated_at == received_at + timedelta(seconds=2)
