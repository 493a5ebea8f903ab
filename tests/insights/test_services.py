"""The insights' figures: per week in the company's time zone, per criterion with "not
applicable" left out, per reviewer, and who sees whose."""

from datetime import UTC, date, datetime

from insights.forms import CALL_TYPE_UNKNOWN, InsightsFilters
from insights.services import insights_figures
from reviews import services
from reviews.models import SuggestionUse, Verdict

MONDAY = date(2026, 11, 2)


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_figures_per_week_count_only_the_selection_and_show_empty_weeks(
    scorecard, review_make, qa_user, manager_user
):
    review_make(
        reviewer=qa_user,
        scorecard=scorecard,
        at=_at(3),
        values=["yes", "yes"],
        verdict=Verdict.PASS,
        score="100.0",
    )
    review_make(
        reviewer=qa_user,
        scorecard=scorecard,
        at=_at(4),
        values=["no", "yes"],
        verdict=Verdict.FAIL,
        score="25.0",
    )
    # Two weeks later; the week between has none.
    review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=_at(17),
        values=["yes", "na"],
        verdict=Verdict.PASS,
        score="100.0",
        call_type=None,
    )
    filters = InsightsFilters(start=MONDAY, end=date(2026, 11, 22))

    figures = insights_figures(user=manager_user, filters=filters)

    assert [(w.week, w.reviews, w.pass_rate, w.average_score) for w in figures.weeks] == [
        (date(2026, 11, 2), 2, 50.0, 62.5),
        (date(2026, 11, 9), 0, None, None),
        (date(2026, 11, 16), 1, 100.0, 100.0),
    ]
    criteria = {(c.label, c.answered, c.failed, c.failure_rate) for c in figures.criteria}
    assert criteria == {("Disclosure given", 3, 1, 33.3), ("Balance stated", 2, 0, 0.0)}
    assert [(r.username, r.reviews, r.average_score) for r in figures.reviewers] == [
        ("manager-user", 1, 100.0),
        ("qa-user", 2, 62.5),
    ]
    unknown = insights_figures(
        user=manager_user,
        filters=InsightsFilters(start=MONDAY, end=date(2026, 11, 22), call_type=CALL_TYPE_UNKNOWN),
    )
    assert unknown.total == 1


def test_a_reviewer_sees_their_own_figures_only(scorecard, review_make, qa_user, manager_user):
    review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=_at(3),
        values=["no", "no"],
        verdict=Verdict.FAIL,
        score="0.0",
    )
    figures = insights_figures(user=qa_user, filters=InsightsFilters(start=MONDAY, end=MONDAY))
    assert figures.total == 0
    assert figures.reviewers == []


def test_weeks_run_in_the_company_time_zone(settings, scorecard, review_make, manager_user):
    settings.TIME_ZONE = "America/New_York"
    # Monday 9 November 02:00 UTC is Sunday evening in New York: the week of 2 November.
    review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=datetime(2026, 11, 9, 2, tzinfo=UTC),
        values=["yes", "yes"],
        verdict=Verdict.PASS,
        score="100.0",
    )
    figures = insights_figures(
        user=manager_user, filters=InsightsFilters(start=MONDAY, end=date(2026, 11, 15))
    )
    assert [(w.week, w.reviews) for w in figures.weeks] == [
        (date(2026, 11, 2), 1),
        (date(2026, 11, 9), 0),
    ]


def test_a_version_change_in_range_is_said_and_criteria_stay_per_version(
    scorecard, review_make, manager_user
):
    review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=_at(3),
        values=["yes", "yes"],
        verdict=Verdict.PASS,
        score="100.0",
    )
    newer = services.scorecard_revise(
        scorecard=scorecard, criteria=[services.CriterionSpec(label="Disclosure given")]
    )
    review_make(
        reviewer=manager_user,
        scorecard=newer,
        at=_at(5),
        values=["no"],
        verdict=Verdict.FAIL,
        score="0.0",
    )
    figures = insights_figures(
        user=manager_user, filters=InsightsFilters(start=MONDAY, end=MONDAY.replace(day=8))
    )
    assert "Calls (versions 1, 2)" in figures.versions_note
    assert {(c.scorecard, c.label) for c in figures.criteria} == {
        ("Calls v1", "Disclosure given"),
        ("Calls v1", "Balance stated"),
        ("Calls v2", "Disclosure given"),
    }
    one = insights_figures(
        user=manager_user,
        filters=InsightsFilters(
            start=MONDAY,
            end=MONDAY.replace(day=8),
            scorecard_family=str(scorecard.family),
            scorecard_version=2,
        ),
    )
    assert (one.total, one.versions_note) == (1, "")


def test_weeks_across_a_change_to_summer_time_start_on_local_mondays(
    settings, scorecard, review_make, manager_user
):
    settings.TIME_ZONE = "Europe/Paris"
    # Clocks went back on Sunday 25 October 2026: Monday 26 October starts at 23:00 UTC on the
    # 25th, Monday 2 November likewise; Monday 19 October started at 22:00 UTC on the 18th.
    for at in (
        datetime(2026, 10, 18, 22, 30, tzinfo=UTC),  # Monday 19 October, 00:30 in Paris
        datetime(2026, 10, 25, 22, 30, tzinfo=UTC),  # Sunday 25 October, 23:30 in Paris
        datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # Monday 26 October, 00:30 in Paris
        datetime(2026, 11, 1, 23, 0, tzinfo=UTC),  # Monday 2 November, midnight in Paris
    ):
        review_make(
            reviewer=manager_user,
            scorecard=scorecard,
            at=at,
            values=["yes", "yes"],
            verdict=Verdict.PASS,
            score="100.0",
        )
    figures = insights_figures(
        user=manager_user, filters=InsightsFilters(start=date(2026, 10, 19), end=MONDAY)
    )
    assert [(w.week, w.reviews) for w in figures.weeks] == [
        (date(2026, 10, 19), 2),
        (date(2026, 10, 26), 1),
        (date(2026, 11, 2), 1),
    ]
    assert figures.total == 4


def test_tracker_hits_per_week_count_confirmed_and_overridden_hits(
    scorecard, review_make, qa_user, manager_user
):
    review_make(
        reviewer=qa_user,
        scorecard=scorecard,
        at=_at(3),
        values=["no", "yes"],
        verdict=Verdict.FAIL,
        score="25.0",
        suggestions=[SuggestionUse.FOLLOWED, ""],
        flagged=[True, False],
    )
    review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=_at(4),
        values=["yes", "na"],
        verdict=Verdict.PASS,
        score="100.0",
        suggestions=[SuggestionUse.OVERRIDDEN, ""],
        # A signal flags without suggesting: a hit, neither confirmed nor overridden.
        flagged=[True, True],
    )
    review_make(  # not flagged: the tracker suggested "yes" and the reviewer agreed
        reviewer=qa_user,
        scorecard=scorecard,
        at=_at(17),
        values=["yes", "yes"],
        verdict=Verdict.PASS,
        score="100.0",
        suggestions=[SuggestionUse.FOLLOWED, ""],
    )
    filters = InsightsFilters(start=MONDAY, end=date(2026, 11, 22))

    weeks = insights_figures(user=manager_user, filters=filters).tracker_weeks

    assert [(w.week, w.hits, w.confirmed, w.overridden, w.confirmation_rate) for w in weeks] == [
        (date(2026, 11, 2), 3, 1, 1, 50.0),
        (date(2026, 11, 9), 0, 0, 0, None),
        (date(2026, 11, 16), 0, 0, 0, None),
    ]
    own = insights_figures(user=qa_user, filters=filters).tracker_weeks
    assert [(w.hits, w.confirmed) for w in own] == [(1, 1), (0, 0), (0, 0)]
    typed = insights_figures(
        user=manager_user,
        filters=InsightsFilters(start=MONDAY, end=date(2026, 11, 22), call_type="manual_call"),
    )
    assert typed.tracker_hits == 0


def test_a_reviewer_with_no_reviews_and_a_week_with_none_are_empty_not_errors(
    scorecard, review_make, manager_user, qa_user
):
    figures = insights_figures(
        user=manager_user,
        filters=InsightsFilters(start=MONDAY, end=MONDAY, reviewer_id=qa_user.pk),
    )
    assert (figures.total, figures.reviewers, figures.criteria, figures.tracker_hits) == (
        0,
        [],
        [],
        0,
    )
    assert [(w.week, w.reviews, w.average_score) for w in figures.weeks] == [(MONDAY, 0, None)]
