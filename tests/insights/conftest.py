"""Fixtures of the insights tests: submitted reviews made straight in the database, at the
moments and with the answers a test needs, and counted in the weekly roll-up as the review
services count a submitted review."""

from datetime import datetime
from typing import Any

import pytest

from reviews import extensions, services
from reviews.models import Answer, Review, ReviewStatus, Scorecard


@pytest.fixture
def scorecard(db: None) -> Any:
    return services.scorecard_create(
        name="Calls",
        criteria=[
            services.CriterionSpec(label="Disclosure given", weight=3, critical=True),
            services.CriterionSpec(label="Balance stated", weight=1),
        ],
    )


class ReviewMaker:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self,
        *,
        reviewer: Any,
        scorecard: Scorecard,
        at: datetime,
        values: list[str],
        verdict: str,
        score: str | None,
        call_type: str | None = "call",
        suggestions: list[str] | None = None,
        flagged: list[bool] | None = None,
    ) -> Review:
        self.count += 1
        review = Review.objects.create(
            followup_id=f"f{self.count}",
            reviewer=reviewer,
            scorecard=scorecard,
            status=ReviewStatus.SUBMITTED,
            submitted_at=at,
            verdict=verdict,
            score=score,
            call_type=call_type,
        )
        Answer.objects.bulk_create(
            Answer(
                review=review,
                criterion=criterion,
                value=value,
                suggestion=suggestion,
                tracker_flagged=hit,
            )
            for criterion, value, suggestion, hit in zip(
                scorecard.criteria.all(),
                values,
                suggestions or [""] * len(values),
                flagged or [False] * len(values),
                strict=True,
            )
        )
        extensions.submitted_changed(review=review, change=1)
        return review


@pytest.fixture
def review_make(db: None) -> ReviewMaker:
    return ReviewMaker()
