"""Whole hostile GetBill answers, served on loopback, through the real client and pages.

For every example, every page or fragment visited answers with a documented status (never a
500), every lookup that reached GetBill leaves one audit entry, and no secret (client secret,
access token, a signed link's signature) is in a page, its headers or the log lines; no
markup or control character from GetBill reaches the HTML.

Examples are bounded (HOSTILE_EXAMPLES per test) and derandomized, so CI runs the same ones
every time. The faults found are replayed first on every run as `@example` entries
(tests/hostile/found.py) rather than through Hypothesis's example database: they are
readable, reviewed like any code, and survive changes to the strategies, which a database
keyed by strategy would silently drop.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.hostile import found
from tests.hostile.answers import (
    DEBT_ID,
    FOLLOWUP_ID,
    Scenario,
    debt_documented_answer,
    debt_pages_any,
    debt_record_answer,
    debt_record_documented_answer,
    followup_answer,
    followup_documented_answer,
    list_answer,
    token_answer,
    zone_any,
)
from tests.hostile.harness import DOCUMENTED_STATUSES, Harness

# Generated examples per test, on top of the replayed ones; a deeper search, locally:
# HOSTILE_EXAMPLES=2000 pytest tests/hostile
HOSTILE_EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "60"))
hostile_settings = hypothesis_settings(
    max_examples=HOSTILE_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

DETAIL = f"/followups/{FOLLOWUP_ID}/"
RECORDING = f"/followups/{FOLLOWUP_ID}/recording/"
DEBT_PAGE = f"/debts/{DEBT_ID}/followups/"
SIDE_PANEL = f"/debts/{DEBT_ID}/followups/timeline/?current={FOLLOWUP_ID}"
DEBT_CARD = f"/debts/{DEBT_ID}/card/"
LIST = "/followups/"
# The list with and without filters and pages, then the review queue: each a request to
# GetBill's list, answered in turn.
LIST_VISITS = (
    ("list", LIST),
    ("list page 2", f"{LIST}?page=2"),
    ("list filtered", f"{LIST}?type=call&status=no_answer"),
    ("list filtered page 3", f"{LIST}?type=email&status=&page=3"),
    ("queue", "/queue/"),
)
_ROW_ID = re.compile(r'<tr data-followup-id="([^"]+)"')


def _followup_visits(hostile: Harness) -> None:
    detail = hostile.visit("detail", DETAIL)
    if detail.status_code == 200:
        hostile.visit("recent list", "/", statuses=frozenset({200}), lookup=False)
    hostile.visit("recording renewal", RECORDING, htmx=True)


def _debt_visits(hostile: Harness) -> None:
    hostile.visit("debt page", DEBT_PAGE)
    # The panel answers with the error's status when GetBill failed, its error inside (htmx
    # swaps it in); readable data renders.
    hostile.visit("side panel", SIDE_PANEL, htmx=True)


def _scenarios(**answers: st.SearchStrategy[object]) -> st.SearchStrategy[Scenario]:
    """Scenarios with the `answers` strategies given, the documented debt page otherwise, seen
    from any of the zones."""
    documented = {
        "debt_pages": st.just((debt_documented_answer(),)),
        "debt_record": st.just((debt_record_documented_answer(),)),
    }
    return st.builds(Scenario, **{"zone": zone_any} | documented | answers)


@hostile_settings
@given(scenario=_scenarios(followup=st.tuples(followup_answer(), followup_answer())))
@found.followup_examples
def test_followup_answers(hostile: Harness, scenario: Scenario) -> None:
    hostile.start(scenario)
    _followup_visits(hostile)


@hostile_settings
@given(scenario=_scenarios(debt_pages=debt_pages_any()))
@found.debt_examples
def test_debt_answers(hostile: Harness, scenario: Scenario) -> None:
    hostile.start(scenario)
    _debt_visits(hostile)


@hostile_settings
@given(
    scenario=_scenarios(
        followup=st.tuples(st.just(followup_documented_answer()), followup_answer())
    )
)
@found.fresh_link_examples
def test_fresh_link_answers(hostile: Harness, scenario: Scenario) -> None:
    """The page was fine; the answer to the player's renewal is the hostile one."""
    hostile.start(scenario)
    hostile.visit("detail", DETAIL, statuses=frozenset({200}))
    hostile.visit("recording renewal", RECORDING, htmx=True)
    hostile.visit("recording renewal again", RECORDING, htmx=True)


@hostile_settings
@given(
    scenario=_scenarios(
        token=st.tuples(token_answer(), token_answer()),
        followup=st.just((followup_documented_answer(),)),
    )
)
@found.token_examples
def test_token_answers(hostile: Harness, scenario: Scenario) -> None:
    """Whatever the token endpoint answers, it is asked once: a token is kept, a failure is
    backed off, so the lookups after it do not ask again."""
    script = hostile.start(scenario)
    hostile.visit("detail", DETAIL)
    hostile.visit("detail again", DETAIL)
    hostile.visit("debt page", DEBT_PAGE)
    hostile.visit("list", LIST)
    # Asked once for each set of scopes: a refused `debts:read` (invalid_scope) is asked for
    # once more with followups:read alone, and then never again.
    scopes = [
        parse_qs(request.body.decode()).get("scope", [""])[0]
        for request in script.received
        if request.kind == "token"
    ]
    assert len(scopes) == len(set(scopes)), f"the token endpoint was asked for {scopes}"


@hostile_settings
@given(
    scenario=_scenarios(
        followup=st.just((followup_documented_answer(),)),
        debt_record=st.tuples(debt_record_answer(), debt_record_answer()),
        role=st.sampled_from(["manager", "qa"]),
    )
)
@found.debt_record_examples
def test_debt_record_answers(hostile: Harness, scenario: Scenario) -> None:
    """A good followup and a hostile debt: the card on the detail page (a QA reviewer's on
    demand), swapped in by "Show the debt", and on the debt page."""
    hostile.start(scenario)
    hostile.visit("detail", DETAIL, statuses=frozenset({200}))
    # Swapped in, the card has its error inside, answered with the error's status.
    hostile.visit("debt card", DEBT_CARD, target="debt-card")
    hostile.visit("debt page", DEBT_PAGE)


@hostile_settings
@given(
    scenario=_scenarios(
        followups_list=st.lists(list_answer(), min_size=1, max_size=len(LIST_VISITS)).map(tuple),
        followup=st.tuples(followup_answer()),
    )
)
@found.list_examples
def test_list_answers(hostile: Harness, scenario: Scenario) -> None:
    """Hostile pages of the list and the queue, then a followup opened from them (which the
    cache may serve from the list's answer)."""
    hostile.start(scenario)
    opened: list[str] = []
    for name, path in LIST_VISITS:
        response = hostile.visit(name, path)
        opened += _ROW_ID.findall(response.content.decode())[:1]
    hostile.visit("list fragment", f"{LIST}?page=2", target="followups-results")
    for followup_id in dict.fromkeys(opened or [FOLLOWUP_ID]):
        hostile.visit("opened", f"/followups/{followup_id}/?from=queue")
        # Asks GetBill again on purpose: a hostile answer, with the list's copy kept.
        hostile.visit("refreshed", f"/followups/{followup_id}/refresh/", post=True, target="main")
        hostile.visit(
            "next in queue",
            f"/queue/next/?after={followup_id}",
            statuses=DOCUMENTED_STATUSES | {302},
        )
