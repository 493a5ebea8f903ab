"""Fixtures of the reviews tests: a scorecard and the followup IDs they review."""

from typing import Any

import pytest

from reviews import services
from sandbox.data import EXAMPLES

CALL_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s
OTHER_ID = EXAMPLES["retry"]
CALL_DURATION_MS = 57_800


@pytest.fixture
def scorecard(db: None) -> Any:
    """Three criteria: a critical one of weight 3, then weights 1 and 2."""
    return services.scorecard_create(
        name="Calls",
        criteria=[
            services.CriterionSpec(label="Disclosure given", weight=3, critical=True),
            services.CriterionSpec(label="Balance stated", weight=1),
            services.CriterionSpec(label="Wrapped up", weight=2, help_text="Next steps said."),
        ],
    )


def answers_all(scorecard: Any, value: str) -> dict[int, str]:
    return {criterion.pk: value for criterion in scorecard.criteria.all()}
