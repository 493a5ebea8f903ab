"""Work left until the response is sent: run when the server closes the response, not before;
at once outside a request; a failure is logged, never the page's."""

import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from dashboard.after_response import AfterResponseMiddleware, after_response
from followups.models import RecentView
from sandbox.data import EXAMPLES

# Closing a response ends the request, which checks the database connection.
pytestmark = pytest.mark.django_db


def test_work_runs_when_the_response_is_closed_not_before():
    done: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        after_response(lambda: done.append("recent view"))
        return HttpResponse("page")

    response = AfterResponseMiddleware(view)(RequestFactory().get("/"))
    assert done == []
    response.close()
    assert done == ["recent view"]
    response.close()
    assert done == ["recent view"]  # once


def test_outside_a_request_work_runs_at_once():
    done: list[str] = []
    after_response(lambda: done.append("now"))
    assert done == ["now"]


def test_failing_work_is_logged_and_the_rest_still_runs(caplog):
    done: list[str] = []

    def failing() -> None:
        raise RuntimeError("database is locked")

    def view(request: HttpRequest) -> HttpResponse:
        after_response(failing)
        after_response(lambda: done.append("second"))
        return HttpResponse("page")

    response = AfterResponseMiddleware(view)(RequestFactory().get("/"))
    with caplog.at_level(logging.WARNING, logger="dashboard.after_response"):
        response.close()
    assert done == ["second"]
    assert "Work after the response failed" in caplog.text


def test_a_page_records_its_recent_view_once_it_is_sent(sandbox, manager_client):
    followup_id = EXAMPLES["call_deal_found"]
    response = manager_client.get(f"/followups/{followup_id}/")
    assert response.status_code == 200
    # Django's test client closes the response as a server does.
    assert RecentView.objects.filter(followup_id=followup_id).count() == 1
