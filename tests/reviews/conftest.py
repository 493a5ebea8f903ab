"""Fixtures of the reviews tests."""

from typing import Any

import pytest

from reviews import services


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
