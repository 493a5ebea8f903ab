"""The insights' figures, aggregated by the database: per week, per criterion, per reviewer.

Only submitted reviews count, each in the week it was submitted (weeks start on Monday in the
company's time zone, settings.TIME_ZONE). A reviewer's figures are their own; those who see
every review see everyone's (the rule is `reviews.services.reviews_visible`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Avg, Count, DateField, Q, QuerySet
from django.db.models.functions import TruncWeek

from insights.forms import CALL_TYPE_UNKNOWN, InsightsFilters
from reviews.host import AuditAction, AuditOutcome, audit_record
from reviews.models import Answer, AnswerValue, Criterion, Review, ReviewStatus, Verdict
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


def _mondays(start: date, end: date) -> Iterator[date]:
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        yield monday
        monday += timedelta(weeks=1)


def figures_per_week(*, reviews: QuerySet[Review], start: date, end: date) -> list[WeekFigures]:
    """Every week from the one of `start` to the one of `end`, those without reviews too."""
    rows = (
        reviews.annotate(
            week=TruncWeek("submitted_at", tzinfo=_company_zone(), output_field=DateField())
        )
        .values("week")
        .order_by("week")
        .annotate(
            total=Count("id"),
            passed=Count("id", filter=Q(verdict=Verdict.PASS)),
            average=Avg("score"),
        )
    )
    by_week: dict[date, dict[str, Any]] = {row["week"]: dict(row) for row in rows}
    return [
        WeekFigures(
            week=monday,
            reviews=by_week[monday]["total"] if monday in by_week else 0,
            passed=by_week[monday]["passed"] if monday in by_week else 0,
            average_score=_score(by_week[monday]["average"]) if monday in by_week else None,
        )
        for monday in _mondays(start, end)
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
    username: str
    reviews: int
    passed: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.passed, self.reviews)


def figures_per_reviewer(*, reviews: QuerySet[Review]) -> list[ReviewerFigures]:
    rows = (
        reviews.values("reviewer__username")
        .annotate(
            total=Count("id"),
            passed=Count("id", filter=Q(verdict=Verdict.PASS)),
            average=Avg("score"),
        )
        .order_by("reviewer__username")
    )
    return [
        ReviewerFigures(
            username=row["reviewer__username"],
            reviews=row["total"],
            passed=row["passed"],
            average_score=_score(row["average"]),
        )
        for row in rows
    ]


def versions_note(*, reviews: QuerySet[Review]) -> str:
    """How figures mix scorecard versions, when a scorecard changed version within the
    selection; "" when they do not."""
    versions: dict[str, list[int]] = {}
    for name, version in (
        reviews.values_list("scorecard__name", "scorecard__version")
        .distinct()
        .order_by("scorecard__name", "scorecard__version")
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
class Insights:
    filters: InsightsFilters
    total: int
    weeks: list[WeekFigures]
    criteria: list[CriterionFigures]
    reviewers: list[ReviewerFigures]
    versions_note: str


def insights_figures(*, user: User, filters: InsightsFilters) -> Insights:
    """Every figure of the insights page for `user`, as `filters` select."""
    reviews = reviews_counted(user=user, filters=filters)
    return Insights(
        filters=filters,
        total=reviews.count(),
        weeks=figures_per_week(reviews=reviews, start=filters.start, end=filters.end),
        criteria=figures_per_criterion(reviews=reviews),
        reviewers=figures_per_reviewer(reviews=reviews),
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
