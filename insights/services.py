"""The insights' figures, aggregated by the database: per week, per criterion, per reviewer.

Only submitted reviews count, each in the week it was submitted (weeks start on Monday in the
company's time zone, settings.TIME_ZONE). A reviewer's figures are their own; those who see
every review see everyone's (the rule is `reviews.services.reviews_visible`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Avg, Case, Count, DateField, Q, QuerySet, Value, When

from insights.forms import CALL_TYPE_UNKNOWN, InsightsFilters
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
from reviews.services import User, reviews_visible


def _company_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=_company_zone())


def reviews_counted(*, user: User, filters: InsightsFilters) -> QuerySet[Review]:
    """The submitted reviews `user` may see that `filters` select."""
    reviews = reviews_visible(user=user).filter(
        status=ReviewStatus.SUBMITTED,
        submitted_at__gte=_day_start(filters.start),
        submitted_at__lt=_day_start(filters.end + timedelta(days=1)),
    )
    if filters.scorecard_family:
        reviews = reviews.filter(scorecard__family=filters.scorecard_family)
    if filters.scorecard_version is not None:
        reviews = reviews.filter(scorecard__version=filters.scorecard_version)
    if filters.reviewer_id is not None:
        reviews = reviews.filter(reviewer_id=filters.reviewer_id)
    if filters.call_type == CALL_TYPE_UNKNOWN:
        reviews = reviews.filter(call_type__isnull=True)
    elif filters.call_type:
        reviews = reviews.filter(call_type=filters.call_type)
    return reviews


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _score(value: Decimal | float | None) -> float | None:
    return round(float(value), 1) if value is not None else None


@dataclass(frozen=True)
class WeekFigures:
    week: date  # its Monday
    reviews: int
    passed: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.passed, self.reviews)


def _mondays(start: date, end: date) -> list[date]:
    first = start - timedelta(days=start.weekday())
    return [first + timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]


def week_of(field: str, *, mondays: Sequence[date]) -> Case | Value:
    """The Monday (of `mondays`, in order) of the week in which `field`, a datetime, falls.

    A balanced search over the weeks' first instants written as nested CASE: a few comparisons
    per row (seven for two years) on any database. TruncWeek with a time zone would be one
    Python call per row on SQLite; the instants are computed here, so summer time is right."""
    if len(mondays) == 1:
        return Value(mondays[0], output_field=DateField())
    middle = len(mondays) // 2
    return Case(
        When(
            **{f"{field}__lt": _day_start(mondays[middle])},
            then=week_of(field, mondays=mondays[:middle]),
        ),
        default=week_of(field, mondays=mondays[middle:]),
        output_field=DateField(),
    )


def _per_week(
    rows: Iterable[Mapping[str, Any]], mondays: Sequence[date]
) -> list[Mapping[str, Any]]:
    """Rows grouped by "week", one per Monday of `mondays` (an empty dict for a week without)."""
    by_week = {row["week"]: row for row in rows}
    return [by_week.get(monday, {}) for monday in mondays]


def figures_per_week(*, reviews: QuerySet[Review], start: date, end: date) -> list[WeekFigures]:
    """Every week from the one of `start` to the one of `end`, those without reviews too."""
    mondays = _mondays(start, end)
    rows = (
        reviews.annotate(week=week_of("submitted_at", mondays=mondays))
        .values("week")
        .order_by()
        .annotate(
            total=Count("id"),
            passed=Count("id", filter=Q(verdict=Verdict.PASS)),
            average=Avg("score"),
        )
    )
    return [
        WeekFigures(
            week=monday,
            reviews=row.get("total", 0),
            passed=row.get("passed", 0),
            average_score=_score(row.get("average")),
        )
        for monday, row in zip(mondays, _per_week(rows, mondays), strict=True)
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


def figures_per_criterion(*, reviews: QuerySet[Review]) -> list[CriterionFigures]:
    """Per criterion of the scorecard versions answered: how often it was answered no, of the
    answers yes or no. Criteria belong to one version, so versions never mix here."""
    # Counted per criterion ID alone, then named: grouping by labels too would join every
    # answer with its criterion and scorecard.
    counts = {
        row["criterion_id"]: row
        for row in Answer.objects.filter(review__in=reviews.values("pk"))
        .values("criterion_id")
        .annotate(
            answered=Count("id", filter=~Q(value=AnswerValue.NOT_APPLICABLE)),
            failed=Count("id", filter=Q(value=AnswerValue.NO)),
        )
        .order_by()
    }
    criteria = (
        Criterion.objects.filter(pk__in=counts)
        .select_related("scorecard")
        .order_by("scorecard__name", "scorecard__version", "position", "id")
    )
    return [
        CriterionFigures(
            label=criterion.label,
            scorecard=f"{criterion.scorecard.name} v{criterion.scorecard.version}",
            answered=counts[criterion.pk]["answered"],
            failed=counts[criterion.pk]["failed"],
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


def figures_per_reviewer(*, reviews: QuerySet[Review]) -> list[ReviewerFigures]:
    # Grouped by the reviewer's ID, read from the reviews' index, then named: a few users.
    rows = (
        reviews.values("reviewer_id")
        .annotate(
            total=Count("id"),
            passed=Count("id", filter=Q(verdict=Verdict.PASS)),
            average=Avg("score"),
        )
        .order_by()
    )
    figures = {row["reviewer_id"]: row for row in rows}
    names = dict(get_user_model().objects.filter(pk__in=figures).values_list("pk", "username"))
    return sorted(
        (
            ReviewerFigures(
                reviewer_id=pk,
                username=names[pk],
                reviews=row["total"],
                passed=row["passed"],
                average_score=_score(row["average"]),
            )
            for pk, row in figures.items()
        ),
        key=lambda reviewer: reviewer.username,
    )


def versions_note(*, reviews: QuerySet[Review]) -> str:
    """How figures mix scorecard versions, when a scorecard changed version within the
    selection; "" when they do not."""
    versions: dict[str, list[int]] = {}
    for name, version in (
        Scorecard.objects.filter(pk__in=reviews.values("scorecard_id").order_by().distinct())
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


def figures_tracker_hits_per_week(
    *, reviews: QuerySet[Review], start: date, end: date
) -> list[TrackerWeekFigures]:
    """Tracker hits on the selected reviews' calls, in the week each review was submitted;
    every week of the range, those without hits too."""
    mondays = _mondays(start, end)
    rows = (
        Answer.objects.filter(review__in=reviews.values("pk"), tracker_flagged=True)
        .annotate(week=week_of("review__submitted_at", mondays=mondays))
        .values("week")
        .order_by()
        .annotate(
            hits=Count("id"),
            confirmed=Count("id", filter=Q(suggestion=SuggestionUse.FOLLOWED)),
            overridden=Count("id", filter=Q(suggestion=SuggestionUse.OVERRIDDEN)),
        )
    )
    return [
        TrackerWeekFigures(
            week=monday,
            hits=row.get("hits", 0),
            confirmed=row.get("confirmed", 0),
            overridden=row.get("overridden", 0),
        )
        for monday, row in zip(mondays, _per_week(rows, mondays), strict=True)
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
    """One transaction for a page's queries; on PostgreSQL, without JIT compilation: it took
    seconds to compile the weeks' long CASE expressions of queries that run in milliseconds."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def insights_figures(*, user: User, filters: InsightsFilters) -> Insights:
    """Every figure of the insights page for `user`, as `filters` select: one query per chart."""
    reviews = reviews_counted(user=user, filters=filters)
    with figures_reading():
        return Insights(
            filters=filters,
            weeks=figures_per_week(reviews=reviews, start=filters.start, end=filters.end),
            criteria=figures_per_criterion(reviews=reviews),
            reviewers=figures_per_reviewer(reviews=reviews),
            tracker_weeks=figures_tracker_hits_per_week(
                reviews=reviews, start=filters.start, end=filters.end
            ),
            versions_note=versions_note(reviews=reviews),
        )


def insights_export_audit(*, user: AbstractBaseUser, chart: str, filters: InsightsFilters) -> None:
    """Write a chart's CSV export to the audit trail (what and which dates, never figures)."""
    audit_record(
        user=user,
        action=AuditAction.REVIEWS_EXPORT,
        outcome=AuditOutcome.SHOWN,
        detail=f"insights {chart}, {filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}",
    )
