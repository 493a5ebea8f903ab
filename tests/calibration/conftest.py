"""Fixtures of the calibration tests: a scorecard, two QA reviewers and a session on one call
that a manager opened for them."""

from typing import Any

import pytest

from calibration import services
from calibration.forms import SessionInput
from reviews import services as review_services
from tests.support.accounts import role_group_get, signed_in_client
from tests.support.reviews import CALL_ID


@pytest.fixture
def scorecard(db: None) -> Any:
    """Three criteria: a critical one of weight 3, then weights 1 and 2."""
    return review_services.scorecard_create(
        name="Calls",
        criteria=[
            review_services.CriterionSpec(label="Disclosure given", weight=3, critical=True),
            review_services.CriterionSpec(label="Balance stated", weight=1),
            review_services.CriterionSpec(label="Wrapped up", weight=2),
        ],
    )


@pytest.fixture
def second_qa_user(db: None) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="qa-second")
    user.groups.set([role_group_get("QA reviewers")])
    return user


@pytest.fixture
def second_qa_client(second_qa_user: Any) -> Any:
    return signed_in_client(second_qa_user)


@pytest.fixture
def session(manager_user: Any, qa_user: Any, second_qa_user: Any, scorecard: Any) -> Any:
    """An open session on CALL_ID for the two QA reviewers."""
    return services.calibration_session_create(
        user=manager_user,
        data=SessionInput(
            name="Week 49",
            scorecard_id=scorecard.pk,
            reviewer_ids=(qa_user.pk, second_qa_user.pk),
            followup_id=CALL_ID,
        ),
    )
