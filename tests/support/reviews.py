"""What the reviews tests share: the followups they review and a way to answer a scorecard."""

from typing import Any

from sandbox.data import EXAMPLES

CALL_ID = EXAMPLES["call_deal_found"]  # collection-call.mp3, 57.8 s
OTHER_ID = EXAMPLES["retry"]
CALL_DURATION_MS = 57_800


def answers_all(scorecard: Any, value: str) -> dict[int, str]:
    return {criterion.pk: value for criterion in scorecard.criteria.all()}
