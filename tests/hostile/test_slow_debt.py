"""A debt's page is one lookup: all its pages together end within GETBILL_DEADLINE.

GetBill answers every page, slowly: what came in time is shown and marked incomplete; when not
even the first page came in time, the 504 page. Bounded: about two seconds each.
"""

from __future__ import annotations

import time

from tests.hostile.answers import (
    DEBT_ID,
    Pairs,
    Scenario,
    followup_documented,
    json_bytes,
)
from tests.hostile.harness import Harness
from tests.hostile.server import Answer

PAGES = 20
# Well inside the read timeout (0.5 s), so only the lookup's deadline can stop the pages.
PAGE_DELAY = 0.3
# Slack for the test machine: the deadline is checked on every socket operation.
SLACK = 1.0


def _page(number: int, *, delay: float) -> Answer:
    items = [followup_documented(followup_id=f"p{number}f{i}", debt_id=DEBT_ID) for i in range(2)]
    pagination = Pairs([("total", PAGES * 2), ("page", number), ("limit", 100), ("pages", PAGES)])
    body = json_bytes(Pairs([("error", False), ("data", items), ("pagination", pagination)]))
    return Answer(body=body, delay=delay)


def test_slow_pages_stop_at_the_deadline_and_show_what_came(hostile: Harness, settings):
    script = hostile.start(
        Scenario(debt_pages=tuple(_page(n, delay=PAGE_DELAY) for n in range(1, PAGES + 1)))
    )
    started = time.monotonic()
    response = hostile.visit("debt page", f"/debts/{DEBT_ID}/followups/")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < settings.GETBILL_DEADLINE + SLACK
    asked = sum(1 for request in script.received if request.kind == "debt")
    assert 1 < asked < PAGES
    assert f"GetBill lists {PAGES * 2} followups for this debt" in response.content.decode()


def test_a_first_page_later_than_the_deadline_is_the_504_page(hostile: Harness, settings):
    settings.GETBILL_READ_TIMEOUT = 5
    slow = _page(1, delay=settings.GETBILL_DEADLINE + 0.5)
    hostile.start(Scenario(debt_pages=(slow,)))
    started = time.monotonic()
    response = hostile.visit("debt page", f"/debts/{DEBT_ID}/followups/")

    assert response.status_code == 504
    assert time.monotonic() - started < settings.GETBILL_DEADLINE + SLACK
