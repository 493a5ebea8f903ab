"""What people see around the pages: scripts in development mode, error page wording."""

import json

import pytest

from followups import error_boundary
from followups.getbill import (
    NotFoundError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from tests.support.html import html_attribute, html_one


@pytest.mark.django_db
def test_development_pages_leave_out_the_debug_script_that_replaces_the_page(
    manager_client, settings
):
    # django-htmx's debug script swaps the whole document for any 400/403/404 answer to an
    # htmx request, which left a bad ID in the header search as an unstyled fragment.
    settings.DEBUG = True
    body = manager_client.get("/").content.decode()
    assert "/static/django_htmx/htmx-2" in body
    assert "django-htmx.js" not in body


@pytest.mark.parametrize("error_type", [UpstreamFailureError, UpstreamTimeoutError])
def test_upstream_failure_title_does_not_repeat_the_message(error_type):
    context = error_boundary.error_context(error_type())
    assert context["title"].rstrip(".").lower() != context["message"].rstrip(".").lower()
    assert "Try again" in context["hint"]


def test_errors_the_user_can_fix_get_no_retry_hint():
    assert error_boundary.error_context(NotFoundError())["hint"] == ""


@pytest.mark.django_db
def test_unreachable_page_says_what_to_do(manager_client, settings):
    settings.GETBILL_API_URL = "ftp://getbill.example/api"
    response = manager_client.get("/followups/abc123def456/")
    assert response.status_code == UpstreamUnavailableError.status_code
    body = response.content.decode()
    assert "GetBill is unreachable" in body
    assert "Try again in a minute" in body


@pytest.mark.django_db
def test_htmx_never_writes_style_attributes(manager_client):
    # The Content Security Policy blocks inline styles: htmx settling "style" on a history
    # restore was a console error on going back to a page.
    body = manager_client.get("/").content.decode()
    config = json.loads(html_attribute(html_one(body, "meta", name="htmx-config"), "content") or "")
    assert config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]
