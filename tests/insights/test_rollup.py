"""The weekly roll-up: kept in step by the review services (submitted, reopened, submitted
again) so that it always equals a recomputation from the reviews; and the page's figures, whole
weeks from the roll-up and edge days from the reviews, equal the reviews counted one by one
for any range of days."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from insights.forms import InsightsFilters
from insights.models import CriterionWeekRollup, WeekRollup
from insights.rollup import company_zone, rollup_rebuild
from insights.services import insights_figures
from reviews import services
from reviews.errors import ReviewError
from reviews.forms import call_type_token
from reviews.models import Answer, AnswerValue, Review, ReviewStatus, Verdict

# Six weeks around the end of summer time in Paris (25 October 2026).
FIRST_DAY = datetime(2026, 10, 5, tzinfo=UTC)
SPAN_MINUTES = 6 * 7 * 24 * 60
FOLLOWUPS = ["20001", "20002", "20003"]


def _rollup_rows() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    week_fields = ["week", "reviewer_id", "scorecard_id", "call_type"]
    weeks = WeekRollup.objects.values_list(
        *week_fields, "reviews", "passed", "scored", "score_tenths"
    ).order_by(*week_fields)
    criterion_fields = [*week_fields, "criterion_id"]
    criteria = CriterionWeekRollup.objects.values_list(
        *criterion_fields, "answers", "answered", "failed", "hits", "confirmed", "overridden"
    ).order_by(*criterion_fields)
    return list(weeks), list(criteria)


def _clear() -> None:
    Answer.objects.all().delete()
    Review.objects.all().delete()
    CriterionWeekRollup.objects.all().delete()
    WeekRollup.objects.all().delete()


_steps = st.lists(
    st.tuples(
        st.sampled_from(["draft", "submit", "reopen"]),
        st.integers(0, 1),  # which reviewer
        st.sampled_from(FOLLOWUPS),
        st.integers(0, SPAN_MINUTES),  # when
        st.lists(st.sampled_from(AnswerValue.values), min_size=2, max_size=2),
        st.sampled_from(["", "call", "manual_call"]),
    ),
    max_size=12,
)


@examples(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_steps)
def test_the_rollup_equals_a_recomputation_after_any_submits_and_reopens(
    settings: Any, scorecard: Any, qa_user: Any, manager_user: Any, steps: Any
) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    _clear()
    criteria = list(scorecard.criteria.all())
    reviewers = [qa_user, manager_user]
    for action, reviewer, followup_id, minute, values, call_type in steps:
        user = reviewers[reviewer]
        with time_machine.travel(FIRST_DAY + timedelta(minutes=minute), tick=False):
            try:
                if action == "reopen":
                    review = Review.objects.filter(
                        followup_id=followup_id, reviewer_id=user.pk
                    ).first()
                    if review is not None:
                        services.review_reopen(user=manager_user, review_id=review.pk)
                else:
                    services.review_save(
                        user=user,
                        followup_id=followup_id,
                        data=services.ReviewInput(
                            scorecard_id=scorecard.pk,
                            answers={c.pk: v for c, v in zip(criteria, values, strict=True)},
                            submit=action == "submit",
                            call_type=call_type_token(followup_id=followup_id, call_type=call_type),
                        ),
                    )
            except ReviewError:
                pass  # refused (all "not applicable", already submitted, a draft already)
    kept = _rollup_rows()
    rollup_rebuild()
    assert _rollup_rows() == kept
    submitted = Review.objects.filter(status=ReviewStatus.SUBMITTED).count()
    assert sum(row[4] for row in kept[0]) == submitted


@examples(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reviews=st.lists(
        st.tuples(
            st.integers(0, SPAN_MINUTES),
            st.lists(st.sampled_from(AnswerValue.values), min_size=2, max_size=2),
            st.sampled_from(["call", None]),
            st.booleans(),  # flagged by the first criterion's tracker
        ),
        max_size=15,
    ),
    start=st.integers(0, 41),
    days=st.integers(0, 41),
)
def test_figures_of_any_range_of_days_equal_the_reviews_counted_one_by_one(
    settings: Any,
    scorecard: Any,
    review_make: Any,
    manager_user: Any,
    reviews: Any,
    start: int,
    days: int,
) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    _clear()
    for minute, values, call_type, flagged in reviews:
        no = values.count(AnswerValue.NO)
        review_make(
            reviewer=manager_user,
            scorecard=scorecard,
            at=FIRST_DAY + timedelta(minutes=minute),
            values=values,
            verdict=Verdict.FAIL if no else Verdict.PASS,
            score=None if values == ["na", "na"] else f"{100 - 50 * no}.0",
            call_type=call_type,
            suggestions=["followed" if values[0] == "no" else "overridden", ""],
            flagged=[flagged, False],
        )
    first = date(2026, 10, 5) + timedelta(days=start)
    last = first + timedelta(days=days)
    figures = insights_figures(user=manager_user, filters=InsightsFilters(start=first, end=last))

    counted = [
        review
        for review in Review.objects.filter(status=ReviewStatus.SUBMITTED)
        if review.submitted_at is not None
        and first <= review.submitted_at.astimezone(company_zone()).date() <= last
    ]
    assert figures.total == len(counted)
    assert sum(week.passed for week in figures.weeks) == sum(
        review.verdict == Verdict.PASS for review in counted
    )
    scores = [review.score for review in counted if review.score is not None]
    per_reviewer = {r.username: (r.reviews, r.average_score) for r in figures.reviewers}
    expected_average = round(float(sum(scores) / len(scores)), 1) if scores else None
    assert per_reviewer == (
        {manager_user.username: (len(counted), expected_average)} if counted else {}
    )
    answers = Answer.objects.filter(review__in=counted)
    failed = Counter(a.criterion_id for a in answers if a.value == AnswerValue.NO)
    answered = Counter(a.criterion_id for a in answers if a.value != AnswerValue.NOT_APPLICABLE)
    assert {(c.label, c.answered, c.failed) for c in figures.criteria} == {
        (c.label, answered[c.pk], failed[c.pk])
        for c in scorecard.criteria.all()
        if any(a.criterion_id == c.pk for a in answers)
    }
    assert figures.tracker_hits == sum(a.tracker_flagged for a in answers)


def test_insights_rebuild_recounts_reviews_written_straight_to_the_database(
    scorecard: Any, review_make: Any, manager_user: Any
) -> None:
    review = review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=datetime(2026, 11, 3, 12, tzinfo=UTC),
        values=["yes", "no"],
        verdict=Verdict.FAIL,
        score="75.0",
    )
    # An import that bypasses the services: the roll-up does not know of it until rebuilt.
    Review.objects.filter(pk=review.pk).update(verdict=Verdict.PASS)
    assert WeekRollup.objects.get().passed == 0
    call_command("insights_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    bucket = WeekRollup.objects.get()
    assert (bucket.week, bucket.reviews, bucket.passed, bucket.scored, bucket.score_tenths) == (
        date(2026, 11, 2),
        1,
        1,
        1,
        750,
    )
    assert CriterionWeekRollup.objects.filter(failed=1).count() == 1
