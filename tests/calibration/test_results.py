"""A closed session's results (calibration/results.py): the answer given most and the share
agreeing with it, ties, the spread of the scores, and alpha with "not applicable" as missing."""

import pytest

from calibration import services
from calibration.results import session_results
from insights.agreement import krippendorff_alpha_nominal
from tests.support.calibration import answers_of
from tests.support.reviews import CALL_ID


def test_results_per_criterion_and_alpha_across_the_calls(
    session, qa_user, second_qa_user, manager_user
):
    from django.contrib.auth import get_user_model

    from tests.support.accounts import role_group_get

    third = get_user_model().objects.create_user(username="qa-third")
    third.groups.set([role_group_get("QA reviewers")])
    session.reviewers.add(third)
    given = {
        qa_user: ("yes", "no", "na"),
        second_qa_user: ("yes", "yes", "yes"),
        third: ("no", "yes", "yes"),
    }
    for user, values in given.items():
        services.calibration_review_submit(
            user=user,
            session_id=session.pk,
            followup_id=CALL_ID,
            answers=answers_of(session.scorecard, *values),
        )
    session.refresh_from_db()
    results = session_results(session=session)
    assert results.reviewers == ["qa-second", "qa-third", "qa-user"]
    disclosure, balance, wrapped = results.calls[0].criteria
    assert (disclosure.modal, disclosure.agreeing, disclosure.agreeing_share) == ("yes", 2, 66.7)
    assert (balance.modal, balance.agreeing_share) == ("yes", 66.7)
    assert (wrapped.modal, wrapped.agreeing_share) == ("yes", 66.7)
    # Scores: a critical no fails whatever the rest (0 %), the others pass or need coaching.
    scores = dict(results.calls[0].scores)
    assert scores["qa-second"] == 100.0
    assert results.calls[0].score_spread == pytest.approx(
        max(results.calls[0].score_values) - min(results.calls[0].score_values)
    )
    # "Not applicable" is missing for alpha, not a third category.
    expected = krippendorff_alpha_nominal(
        [["yes", "no", "yes"], ["yes", "yes", "no"], ["yes", "yes", None]]
    )
    assert results.alpha == pytest.approx(expected)
    assert results.distances == []
    assert not results.has_references
