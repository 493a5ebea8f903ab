"""Hostile answers that broke a page once, replayed first by every run of the harness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import example

from tests.hostile.answers import Scenario

FOLLOWUP_FOUND: list[Scenario] = []
DEBT_FOUND: list[Scenario] = []
FRESH_LINK_FOUND: list[Scenario] = []
TOKEN_FOUND: list[Scenario] = []


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
