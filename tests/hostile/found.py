"""Hostile answers that broke a page before, replayed first by every run of the harness.

Each was found by the harness (or is the issue's own case) and ended in a 500, an answer
without its audit entry, or a secret or control character in the page. The comment says what
it broke.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import example

from tests.hostile.answers import (
    CLIENT_SECRET,
    DEBT_ID,
    FOLLOWUP_ID,
    SCOPE_REFUSED_MESSAGE,
    SIGNED_AUDIO_URL,
    Pairs,
    Raw,
    Scenario,
    debt_documented_answer,
    error_answer,
    followup_documented,
    followup_documented_answer,
    json_bytes,
    token_documented,
)
from tests.hostile.server import ECHO_AUTHORIZATION, ECHO_TOKEN, Answer

HUGE_INTEGER = Raw("1" + "0" * 400)


def followup_with(*, headers: tuple[tuple[bytes, bytes], ...] = (), **fields: object) -> Answer:
    data = {**followup_documented(followup_id=FOLLOWUP_ID, debt_id=DEBT_ID), **fields}
    body = Pairs([("error", False), ("message", "Success"), ("data", data)])
    return Answer(headers=headers, body=json_bytes(body))


def debt_with(**fields: object) -> Answer:
    items = [{**followup_documented(followup_id="f0000000001", debt_id=DEBT_ID), **fields}]
    pagination = Pairs([("total", 1), ("page", 1), ("limit", 100), ("pages", 1)])
    body = Pairs([("error", False), ("data", items), ("pagination", pagination)])
    return Answer(body=json_bytes(body))


def _with_debt(*followups: Answer, zone: str = "UTC") -> Scenario:
    return Scenario(followup=followups, debt_pages=(debt_documented_answer(),), zone=zone)


FOLLOWUP_FOUND: list[Scenario] = [
    # "²" passes str.isdigit(), fails int(): 500, no audit entry.
    _with_debt(followup_with(headers=((b"X-RateLimit-Limit", "²".encode()),))),
    _with_debt(followup_with(headers=((b"X-RateLimit-Remaining", "¹²³".encode()),))),
    # Year 1 at +14:00 has no UTC time: 500 on the detail page.
    _with_debt(followup_with(call_date="0001-01-01T00:00:00+14:00")),
    _with_debt(followup_with(processed_at="9999-12-31T23:59:59-14:00"), zone="Pacific/Kiritimati"),
    # A duration of 400 digits overflowed the player's float.
    _with_debt(followup_with(duration_ms=HUGE_INTEGER)),
    # A lone surrogate: 500 when the page is encoded, or when the recent view is saved.
    _with_debt(followup_with(notes="a\ud800b")),
    _with_debt(followup_with(status="a\udfffb")),
    # Raw control characters and bidi overrides reached the HTML.
    _with_debt(followup_with(summary="\x1b[2J\x1b[31mred\x85\u202eevil")),
    # A signed link or the client secret in a text field was shown as it is.
    _with_debt(followup_with(notes=f"see {SIGNED_AUDIO_URL}")),
    _with_debt(followup_with(summary=f"bad secret {CLIENT_SECRET}")),
    # GetBill's 403 message echoing what it received was shown on the error page.
    _with_debt(error_answer(403, f"Refused: {ECHO_AUTHORIZATION}")),
    _with_debt(error_answer(403, f"token {ECHO_TOKEN} refused")),
    # A 429 with retry_after in superscripts.
    _with_debt(error_answer(429, "slow down", retry_after="²")),
    # Superscript digits in a phone number passed str.isdigit() and failed int().
    _with_debt(
        followup_with(phone_number_used="+\u00b2\u00b2\u00b3\u00b3\u2074\u2074\u2075\u2075")
    ),
    # A quota reset in year 9999 broke the footer of every page east of UTC.
    _with_debt(
        followup_with(
            headers=(
                (b"X-RateLimit-Limit", b"1000"),
                (b"X-RateLimit-Remaining", b"10"),
                (b"X-RateLimit-Reset", b"253402300799"),
            )
        ),
        zone="Pacific/Kiritimati",
    ),
]

DEBT_FOUND: list[Scenario] = [
    Scenario(debt_pages=(debt_with(status="\x1b[31mdone\x9b"),)),
    Scenario(debt_pages=(debt_with(summary=f"client_secret={CLIENT_SECRET}"),)),
    Scenario(debt_pages=(debt_with(call_date="0001-01-01T00:00:00+14:00"),)),
    Scenario(debt_pages=(debt_with(type="\ud800"),)),
]

FRESH_LINK_FOUND: list[Scenario] = [
    # The renewal's error text echoed the client secret and the token.
    _with_debt(followup_documented_answer(), error_answer(403, f"{CLIENT_SECRET} refused")),
    _with_debt(followup_documented_answer(), error_answer(403, f"token {ECHO_TOKEN} refused")),
    _with_debt(
        followup_documented_answer(),
        followup_with(headers=((b"X-RateLimit-Limit", "²".encode()),)),
    ),
]

TOKEN_FOUND: list[Scenario] = [
    # expires_in too big for a float: 500, and no back-off, so every lookup asked again.
    Scenario(
        token=(token_documented(expires_in=HUGE_INTEGER),),
        followup=(followup_documented_answer(),),
        debt_pages=(debt_documented_answer(),),
    ),
    Scenario(
        token=(token_documented(expires_in="²"),),
        followup=(followup_documented_answer(),),
        debt_pages=(debt_documented_answer(),),
    ),
]


DEBT_RECORD_FOUND: list[Scenario] = [
    # GetBill's API refused the debt for the missing debts:read scope: the card said what to
    # grant, but the lookup, which reached GetBill, had no audit entry.
    Scenario(
        followup=(followup_documented_answer(),),
        debt_pages=(debt_documented_answer(),),
        debt_record=(error_answer(403, SCOPE_REFUSED_MESSAGE),),
    ),
]

LIST_FOUND: list[Scenario] = []


def _examples(scenarios: list[Scenario]) -> Callable[[Any], Any]:
    def decorate(test: Any) -> Any:
        for scenario in reversed(scenarios):
            test = example(scenario=scenario)(test)
        return test

    return decorate


followup_examples = _examples(FOLLOWUP_FOUND)
debt_examples = _examples(DEBT_FOUND)
fresh_link_examples = _examples(FRESH_LINK_FOUND)
token_examples = _examples(TOKEN_FOUND)
debt_record_examples = _examples(DEBT_RECORD_FOUND)
list_examples = _examples(LIST_FOUND)
