"""The weekly roll-up kept in step with the reviews (models in `insights.models`).

`rollup_review_change` adds a submitted review's figures to its buckets, or takes them away,
inside the transaction that submits or reopens it (registered in `reviews.extensions`).
Each bucket is changed by `UPDATE ... SET n = n + k` (or created), never read and written back:
two reviews submitted at once into one bucket both count, on SQLite and PostgreSQL.
`rollup_rebuild` recomputes every bucket from the reviews (the migration's backfill, and
`manage.py insights_rebuild`, to run after bulk imports or a change of DJANGO_TIME_ZONE).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, Count, DateField, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from insights.models import CALL_TYPE_NONE, CriterionWeekRollup, WeekRollup
from reviews.extensions import Change
from reviews.models import AnswerValue, Review, ReviewStatus, SuggestionUse, Verdict


def company_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """The first instant of `day` in the company's time zone."""
    return datetime.combine(day, time.min, tzinfo=company_zone())


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start_of(moment: datetime) -> date:
    """The Monday of the company's week in which `moment` falls."""
    return monday_of(moment.astimezone(company_zone()).date())


def mondays_between(start: date, end: date) -> list[date]:
    """The Mondays of the weeks of `start` to `end`, both included."""
    first = monday_of(start)
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
            **{f"{field}__lt": day_start(mondays[middle])},
            then=week_of(field, mondays=mondays[:middle]),
        ),
        default=week_of(field, mondays=mondays[middle:]),
        output_field=DateField(),
    )


def tenths(score: Decimal | float | None) -> int:
    """A score (percent, one decimal) or a sum of them, in tenths of a percent."""
    return round(Decimal(str(score or 0)) * 10)


def _bucket_add(model: type[models.Model], key: Mapping[str, Any], amounts: dict[str, int]) -> None:
    """Add `amounts` to the bucket of `model` that `key` names (creating it); a bucket left
    with nothing counted is deleted. `amounts` names every counted field of the model."""
    rows = model._default_manager.filter(**key)
    changes = {field: F(field) + amount for field, amount in amounts.items() if amount}
    if rows.update(**changes):
        rows.filter(**dict.fromkeys(amounts, 0)).delete()
        return
    try:
        # A savepoint: another transaction may create the same bucket first.
        with transaction.atomic():
            model._default_manager.create(**key, **amounts)
    except IntegrityError:
        rows.update(**changes)


def rollup_review_change(*, review: Review, change: Change) -> None:
    """Count `review`, submitted, in its buckets (change 1) or take it out of them (change -1);
    its answers are read from the database."""
    assert review.submitted_at is not None
    key = {
        "week": week_start_of(review.submitted_at),
        "reviewer_id": review.reviewer_id,
        "scorecard_id": review.scorecard_id,
        "call_type": review.call_type or CALL_TYPE_NONE,
    }
    _bucket_add(
        WeekRollup,
        key,
        {
            "reviews": change,
            "passed": change * (review.verdict == Verdict.PASS),
            "scored": change * (review.score is not None),
            "score_tenths": change * tenths(review.score),
        },
    )
    for criterion_id, value, suggestion, flagged in review.answers.values_list(
        "criterion_id", "value", "suggestion", "tracker_flagged"
    ).order_by("criterion_id"):
        _bucket_add(
            CriterionWeekRollup,
            {**key, "criterion_id": criterion_id},
            {
                "answers": change,
                "answered": change * (value != AnswerValue.NOT_APPLICABLE),
                "failed": change * (value == AnswerValue.NO),
                "hits": change * flagged,
                "confirmed": change * (flagged and suggestion == SuggestionUse.FOLLOWED),
                "overridden": change * (flagged and suggestion == SuggestionUse.OVERRIDDEN),
            },
        )


def _week_rows(reviews: Any, mondays: Sequence[date]) -> Iterable[dict[str, Any]]:
    return (
        reviews.annotate(
            week=week_of("submitted_at", mondays=mondays),
            bucket_call_type=Coalesce("call_type", Value(CALL_TYPE_NONE)),
        )
        .values("week", "reviewer_id", "scorecard_id", "bucket_call_type")
        .order_by()
        .annotate(
            reviews=Count("id"),
            passed=Count("id", filter=Q(verdict=Verdict.PASS)),
            scored=Count("score"),
            score_sum=Sum("score"),
        )
    )


def _criterion_rows(answers: Any, mondays: Sequence[date]) -> Iterable[dict[str, Any]]:
    flagged = Q(tracker_flagged=True)
    return (
        answers.annotate(
            week=week_of("review__submitted_at", mondays=mondays),
            bucket_call_type=Coalesce("review__call_type", Value(CALL_TYPE_NONE)),
        )
        .values(
            "week",
            "review__reviewer_id",
            "review__scorecard_id",
            "bucket_call_type",
            "criterion_id",
        )
        .order_by()
        .annotate(
            answers=Count("id"),
            answered=Count("id", filter=~Q(value=AnswerValue.NOT_APPLICABLE)),
            failed=Count("id", filter=Q(value=AnswerValue.NO)),
            hits=Count("id", filter=flagged),
            confirmed=Count("id", filter=flagged & Q(suggestion=SuggestionUse.FOLLOWED)),
            overridden=Count("id", filter=flagged & Q(suggestion=SuggestionUse.OVERRIDDEN)),
        )
    )


def rollup_rebuild(*, apps: Apps = installed_apps) -> int:
    """Recompute the whole roll-up from the submitted reviews, in one transaction; the number
    of week buckets. `apps`: a migration's historical models."""
    reviews_model = apps.get_model("reviews", "Review")
    answers_model = apps.get_model("reviews", "Answer")
    week_model = apps.get_model("insights", "WeekRollup")
    criterion_model = apps.get_model("insights", "CriterionWeekRollup")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiling the weeks' CASE costs more than the query (see services).
                cursor.execute("SET LOCAL jit = off")
        criterion_model._default_manager.all().delete()
        week_model._default_manager.all().delete()
        submitted = reviews_model._default_manager.filter(
            status=ReviewStatus.SUBMITTED, submitted_at__isnull=False
        )
        bounds = submitted.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
        if bounds["first"] is None:
            return 0
        zone = company_zone()
        mondays = mondays_between(
            bounds["first"].astimezone(zone).date(), bounds["last"].astimezone(zone).date()
        )
        weeks = week_model._default_manager.bulk_create(
            (
                week_model(
                    week=row["week"],
                    reviewer_id=row["reviewer_id"],
                    scorecard_id=row["scorecard_id"],
                    call_type=row["bucket_call_type"],
                    reviews=row["reviews"],
                    passed=row["passed"],
                    scored=row["scored"],
                    score_tenths=tenths(row["score_sum"]),
                )
                for row in _week_rows(submitted, mondays)
            ),
            batch_size=2000,
        )
        answers = answers_model._default_manager.filter(
            review__status=ReviewStatus.SUBMITTED, review__submitted_at__isnull=False
        )
        criterion_model._default_manager.bulk_create(
            (
                criterion_model(
                    week=row["week"],
                    reviewer_id=row["review__reviewer_id"],
                    scorecard_id=row["review__scorecard_id"],
                    call_type=row["bucket_call_type"],
                    criterion_id=row["criterion_id"],
                    **{
                        field: row[field]
                        for field in (
                            "answers",
                            "answered",
                            "failed",
                            "hits",
                            "confirmed",
                            "overridden",
                        )
                    },
                )
                for row in _criterion_rows(answers, mondays)
            ),
            batch_size=2000,
        )
    return len(weeks)
