"""The company's GetBill quota in the page footer: as last seen, for those who look followups up."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from followups import getbill
from sandbox.data import EXAMPLES
from tests.support.examples import FOLLOWUP_ID
from tests.support.fake_getbill import FakeGetBill

QUOTA = re.compile(r"GetBill quota: ([\d,]+) of ([\d,]+) requests left this hour")
RESET = datetime(2030, 3, 4, 17, 0, tzinfo=UTC)


def _quota_record(fake: FakeGetBill, *, limit: int, remaining: int, reset: datetime = RESET):
    """What the client keeps after a GetBill answer carrying these quota headers."""
    fake.headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(reset.timestamp())),
        "X-RateLimit-Window": "3600",
    }
    fake.followup_add()
    getbill.followup_get(followup_id=FOLLOWUP_ID)


def _footer(response) -> str:
    match = re.search(r"<footer[^>]*>(.*?)</footer>", response.content.decode(), re.S)
    assert match, "every signed-in page has a footer"
    return match.group(1)


@pytest.mark.django_db
def test_shown_after_a_lookup_against_the_sandbox(sandbox, manager_client):
    home = manager_client.get("/")
    assert "GetBill quota" not in _footer(home)

    manager_client.cookies["tz"] = "America/New_York"
    page = manager_client.get(f"/followups/{EXAMPLES['call_deal_found']}/")
    assert page.status_code == 200
    status = getbill.rate_limit_status_get()
    assert status is not None
    assert status.reset_at is not None

    footer = _footer(manager_client.get("/"))
    match = QUOTA.search(footer)
    assert match, footer
    assert match.groups() == (f"{status.remaining:,}", "1,000")
    assert status.remaining is not None
    assert 990 <= status.remaining < 1000
    reset_local = status.reset_at.astimezone(ZoneInfo("America/New_York"))
    assert f'resets at <time datetime="{status.reset_at.isoformat()}">' in footer
    assert f">{reset_local:%H:%M}</time>" in footer
    assert "quota-low" not in footer


@pytest.mark.django_db
def test_the_reset_time_is_in_the_users_zone(manager_client, fake_getbill):
    _quota_record(fake_getbill, limit=1000, remaining=812)
    manager_client.cookies["tz"] = "Europe/Paris"
    footer = _footer(manager_client.get("/"))
    assert QUOTA.search(footer).groups() == ("812", "1,000")  # type: ignore[union-attr]
    assert "· resets at" in footer
    assert ">18:00</time>" in footer


@pytest.mark.django_db
def test_hidden_for_a_user_who_does_not_look_followups_up(
    plain_client, auditor_client, fake_getbill
):
    _quota_record(fake_getbill, limit=1000, remaining=812)
    for client in (plain_client, auditor_client):
        assert "GetBill quota" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_hidden_while_unknown(manager_client):
    assert getbill.rate_limit_status_get() is None
    response = manager_client.get("/")
    assert response.status_code == 200
    assert "GetBill quota" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("remaining", "low"), [(99, True), (0, True), (100, False), (812, False)])
def test_warning_tone_under_a_tenth_left(manager_client, remaining, low, fake_getbill):
    _quota_record(fake_getbill, limit=1000, remaining=remaining)
    footer = _footer(manager_client.get("/"))
    assert QUOTA.search(footer)
    assert ('class="quota quota-low"' in footer) is low
