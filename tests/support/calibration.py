"""What the calibration tests share: answers to a scorecard's criteria, given in order."""

from typing import Any


def criterion_ids(scorecard: Any) -> list[int]:
    return [criterion.pk for criterion in scorecard.criteria.all()]


def answers_of(scorecard: Any, *values: str) -> dict[int, str]:
    """Answers to the scorecard's criteria in order ("yes", "no", "na")."""
    return dict(zip(criterion_ids(scorecard), values, strict=True))
