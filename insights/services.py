"""The insights' figures, aggregated by the database: per week, per criterion, per reviewer.

Only submitted reviews count, each in the week it was submitted (weeks start on Monday in the
company's time zone, settings.TIME_ZONE). A reviewer's figures are their own; those who see
every review see everyone's (the rule is `reviews.services.reviewer_ids_visible`).

The whole weeks of a range are read from the weekly roll-up (`insights.models`, kept by
`insights.rollup`); the days at its edges whose week is only partly in the range (today's week,
by default) are read from the reviews themselves, so any range of days is counted exactly. Each
chart adds the two, grouped the same way: a few rows per week or per criterion, never a row per
review in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.db.models import Count, Q, QuerySet, Sum

from insights.forms import CALL_TYPE_UNKNOWN, InsightsFilters
from insights.models import CALL_TYPE_NONE, CriterionWeekRollup, WeekRollup
from insights.rollup import day_start, monday_of, mondays_between, tenths, week_of
from reviews.host import AuditAction, AuditOutcome, audit_record
from reviews.models import (
    Answer,
    AnswerValue,
    Criterion,
    Review,
    ReviewStatus,
    Scorecard,
    SuggestionUse,
    Verdict,
)
from reviews.services import User, reviewer_ids_visible

Rows = TypeVar("Rows", bound=models.Model)

_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)


def _filtered(
    rows: QuerySet[Rows], *, user: User, filters: InsightsFilters, call_type_unknown: Q
) -> QuerySet[Rows]:
    """`rows` (reviews or roll-up buckets: they name their columns alike) that `user` may see
    and `filters` select, dates apart; `call_type_unknown` selects those without a type."""
    reviewer_ids = reviewer_ids_visible(user=user)
    if reviewer_ids is not None:
        rows = rows.filter(reviewer_id__in=reviewer_ids) if reviewer_ids else rows.none()
    if filters.scorecard_family:
        rows = rows.filter(scorecard__family=filters.scorecard_family)
    if filters.scorecard_version is not None:
        rows = rows.filter(scorecard__version=filters.scorecard_version)
    if filters.reviewer_id is not None:
        rows = rows.filter(reviewer_id=filters.reviewer_id)
    if filters.call_type == CALL_TYPE_UNKNOWN:
        rows = rows.filter(call_type_unknown)
    elif filters.call_type:
        rows = rows.filter(call_type=filters.call_type)
    return rows


def _whole_weeks(start: date, end: date) -> tuple[date, date]:
    """The first Monday of the whole weeks within `start` to `end` and the Monday after the
    last of them; the same Monday twice when no whole week is within."""
    first = start if start.weekday() == 0 else monday_of(start) + _WEEK
    after = monday_of(end + _DAY)
    return first, max(first, after)


@dataclass(frozen=True)
class Selection:
    """The submitted reviews a user may see that filters select, in two parts: the roll-up's
    buckets of the whole weeks within the dates, and the reviews of the days left at the
    edges (whose weeks are `edge_mondays`)."""

    filters: InsightsFilters
    weeks: QuerySet[WeekRollup]
    criteria: QuerySet[CriterionWeekRollup]
    edge_reviews: QuerySet[Review]
    edge_mondays: list[date]

    @property
    def edge_answers(self) -> QuerySet[Answer]:
        return Answer.objects.filter(review__in=self.edge_reviews.values("pk"))


def selection_of(*, user: User, filters: InsightsFilters) -> Selection:
    """What `user` may see of what `filters` select (no query is run here)."""
    first, after = _whole_weeks(filters.start, filters.end)
    day_after = filters.end + _DAY
    if first < after:
        edges = [(filters.start, first), (after, day_after)]
    else:
        edges = [(filters.start, day_after)]
    edge_days = Q()
    for since, until in edges:
        if since < until:
            edge_days |= Q(submitted_at__gte=day_start(since), submitted_at__lt=day_start(until))
    edge_reviews = (
        Review.objects.filter(edge_days, status=ReviewStatus.SUBMITTED)
        if edge_days
        else Review.objects.none()
    )
    in_weeks = Q(week__gte=first, week__lt=after)
    bucket_unknown = Q(call_type=CALL_TYPE_NONE)
    return Selection(
        filters=filters,
        weeks=_filtered(
            WeekRollup.objects.filter(in_weeks),
            user=user,
            filters=filters,
            call_type_unknown=bucket_unknown,
        ),
        criteria=_filtered(
            CriterionWeekRollup.objects.filter(in_weeks),
            user=user,
            filters=filters,
            call_type_unknown=bucket_unknown,
        ),
        edge_reviews=_filtered(
            edge_reviews,
            user=user,
            filters=filters,
            call_type_unknown=Q(call_type__isnull=True),
        ),
        edge_mondays=sorted({monday_of(filters.start), monday_of(filters.end)}),
    )


def _summed(key: str, *parts: Iterable[Mapping[str, Any]]) -> dict[Any, dict[str, int]]:
    """Rows of grouped sums from several parts, added up by `key`."""
    totals: dict[Any, dict[str, int]] = {}
    for rows in parts:
        for row in rows:
            into = totals.setdefault(row[key], {})
            for field, value in row.items():
                if field != key:
                    into[field] = into.get(field, 0) + (value or 0)
    return totals


# Per group of the roll-up's weeks: reviews, passed, scored and their scores in tenths.
_WEEK_SUMS = {
    "n_reviews": Sum("reviews"),
    "n_passed": Sum("passed"),
    "n_scored": Sum("scored"),
    "n_tenths": Sum("score_tenths"),
}


def _week_sums(selection: Selection, key: str) -> dict[Any, dict[str, int]]:
    """Reviews, passed, scored and score tenths per `key` (a column of both the roll-up and
    the reviews, or "week")."""
    edges = selection.edge_reviews
    if key == "week":
        edges = edges.annotate(week=week_of("submitted_at", mondays=selection.edge_mondays))
    edge_rows = (
        edges.values(key)
        .order_by()
        .annotate(
            n_reviews=Count("id"),
            n_passed=Count("id", filter=Q(verdict=Verdict.PASS)),
            n_scored=Count("score"),
            score_sum=Sum("score"),
        )
    )
    return _summed(
        key,
        selection.weeks.values(key).order_by().annotate(**_WEEK_SUMS),
        (
            {
                **{k: v for k, v in row.items() if k != "score_sum"},
                "n_tenths": tenths(row["score_sum"]),
            }
            for row in edge_rows
        ),
    )


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _average(sums: Mapping[str, int]) -> float | None:
    scored = sums.get("n_scored", 0)
    return round(sums.get("n_tenths", 0) / scored / 10, 1) if scored else None


@dataclass(frozen=True)
class WeekFigures:
    week: date  # its Monday
    reviews: int
    passed: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.passed, self.reviews)


def figures_per_week(*, selection: Selection) -> list[WeekFigures]:
    """Every week from the one of the start to the one of the end, those without reviews too."""
    sums = _week_sums(selection, "week")
    return [
        WeekFigures(
            week=monday,
            reviews=sums.get(monday, {}).get("n_reviews", 0),
            passed=sums.get(monday, {}).get("n_passed", 0),
            average_score=_average(sums.get(monday, {})),
        )
        for monday in mondays_between(selection.filters.start, selection.filters.end)
    ]


@dataclass(frozen=True)
class CriterionFigures:
    label: str
    scorecard: str  # "Calls v2"
    answered: int  # yes or no; "not applicable" is left out
    failed: int

    @property
    def failure_rate(self) -> float | None:
        return _rate(self.failed, self.answered)


def figures_per_criterion(*, selection: Selection) -> list[CriterionFigures]:
    """Per criterion of the scorecard versions answered: how often it was answered no, of the
    answers yes or no. Criteria belong to one version, so versions never mix here."""
    # Counted per criterion ID alone, then named: grouping by labels too would join every
    # answer with its criterion and scorecard.
    counts = _summed(
        "criterion_id",
        selection.criteria.values("criterion_id")
        .order_by()
        .annotate(n_answered=Sum("answered"), n_failed=Sum("failed")),
        selection.edge_answers.values("criterion_id")
        .order_by()
        .annotate(
            n_answered=Count("id", filter=~Q(value=AnswerValue.NOT_APPLICABLE)),
            n_failed=Count("id", filter=Q(value=AnswerValue.NO)),
        ),
    )
    criteria = (
        Criterion.objects.filter(pk__in=counts)
        .select_related("scorecard")
        .order_by("scorecard__name", "scorecard__version", "position", "id")
    )
    return [
        CriterionFigures(
            label=criterion.label,
            scorecard=f"{criterion.scorecard.name} v{criterion.scorecard.version}",
            answered=counts[criterion.pk]["n_answered"],
            failed=counts[criterion.pk]["n_failed"],
        )
        for criterion in criteria
    ]


@dataclass(frozen=True)
class ReviewerFigures:
    """One reviewer's row; other figures of a reviewer join it by `reviewer_id`."""

    reviewer_id: int
    username: str
    reviews: int
    passed: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.passed, self.reviews)


def figures_per_reviewer(*, selection: Selection) -> list[ReviewerFigures]:
    # Grouped by the reviewer's ID, then named: a few users.
    figures = _week_sums(selection, "reviewer_id")
    names = dict(get_user_model().objects.filter(pk__in=figures).values_list("pk", "username"))
    return sorted(
        (
            ReviewerFigures(
                reviewer_id=pk,
                username=names[pk],
                reviews=sums["n_reviews"],
                passed=sums["n_passed"],
                average_score=_average(sums),
            )
            for pk, sums in figures.items()
        ),
        key=lambda reviewer: reviewer.username,
    )


def versions_note(*, selection: Selection) -> str:
    """How figures mix scorecard versions, when a scorecard changed version within the
    selection; "" when they do not."""
    scorecard_ids = {
        *selection.weeks.values_list("scorecard_id", flat=True).order_by().distinct(),
        *selection.edge_reviews.values_list("scorecard_id", flat=True).order_by().distinct(),
    }
    versions: dict[str, list[int]] = {}
    for name, version in (
        Scorecard.objects.filter(pk__in=scorecard_ids)
        .values_list("name", "version")
        .order_by("name", "version")
    ):
        versions.setdefault(name, []).append(version)
    changed = {name: numbers for name, numbers in versions.items() if len(numbers) > 1}
    if not changed:
        return ""
    names = "; ".join(
        f"{name} (versions {', '.join(str(n) for n in numbers)})"
        for name, numbers in changed.items()
    )
    return (
        f"A scorecard changed version within these dates: {names}. Pass rates and scores merge "
        "its versions (each review scored against the version it answered); criteria are "
        "counted per version. Pick a version to see one alone."
    )


@dataclass(frozen=True)
class TrackerWeekFigures:
    """Per week: answers to criteria whose linked tracker had flagged the call when the answer
    was saved (a hit), and how many of them followed the tracker's suggestion (confirmed) or
    overrode it. A signal suggests nothing: its hits are neither."""

    week: date  # its Monday
    hits: int
    confirmed: int
    overridden: int

    @property
    def confirmation_rate(self) -> float | None:
        return _rate(self.confirmed, self.confirmed + self.overridden)


def figures_tracker_hits_per_week(*, selection: Selection) -> list[TrackerWeekFigures]:
    """Tracker hits on the selected reviews' calls, in the week each review was submitted;
    every week of the range, those without hits too."""
    sums = _summed(
        "week",
        selection.criteria.filter(hits__gt=0)
        .values("week")
        .order_by()
        .annotate(n_hits=Sum("hits"), n_confirmed=Sum("confirmed"), n_overridden=Sum("overridden")),
        selection.edge_answers.filter(tracker_flagged=True)
        .annotate(week=week_of("review__submitted_at", mondays=selection.edge_mondays))
        .values("week")
        .order_by()
        .annotate(
            n_hits=Count("id"),
            n_confirmed=Count("id", filter=Q(suggestion=SuggestionUse.FOLLOWED)),
            n_overridden=Count("id", filter=Q(suggestion=SuggestionUse.OVERRIDDEN)),
        ),
    )
    return [
        TrackerWeekFigures(
            week=monday,
            hits=sums.get(monday, {}).get("n_hits", 0),
            confirmed=sums.get(monday, {}).get("n_confirmed", 0),
            overridden=sums.get(monday, {}).get("n_overridden", 0),
        )
        for monday in mondays_between(selection.filters.start, selection.filters.end)
    ]


@dataclass(frozen=True)
class Insights:
    filters: InsightsFilters
    weeks: list[WeekFigures]
    criteria: list[CriterionFigures]
    reviewers: list[ReviewerFigures]
    tracker_weeks: list[TrackerWeekFigures]
    versions_note: str

    @property
    def total(self) -> int:
        return sum(week.reviews for week in self.weeks)

    @property
    def tracker_hits(self) -> int:
        return sum(week.hits for week in self.tracker_weeks)


@contextmanager
def figures_reading() -> Iterator[None]:
    """One transaction for a page's queries (the roll-up and the edges' reviews read alike);
    on PostgreSQL, without JIT compilation: it took seconds to compile the weeks' CASE
    expressions of queries that run in milliseconds."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def insights_figures(*, user: User, filters: InsightsFilters) -> Insights:
    """Every figure of the insights page for `user`, as `filters` select: one query per chart."""
    selection = selection_of(user=user, filters=filters)
    with figures_reading():
        return Insights(
            filters=filters,
            weeks=figures_per_week(selection=selection),
            criteria=figures_per_criterion(selection=selection),
            reviewers=figures_per_reviewer(selection=selection),
            tracker_weeks=figures_tracker_hits_per_week(selection=selection),
            versions_note=versions_note(selection=selection),
        )


def insights_export_audit(*, user: AbstractBaseUser, chart: str, filters: InsightsFilters) -> None:
    """Write a chart's CSV export to the audit trail (what and which dates, never figures)."""
    audit_record(
        user=user,
        action=AuditAction.REVIEWS_EXPORT,
        outcome=AuditOutcome.SHOWN,
        detail=f"insights {chart}, {filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}",
    )
