"""The insights page and its CSV exports. Who sees what is the reviews' rule: a reviewer their
own figures, those who see all reviews everyone's."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from followups.csv_export import csv_lines, csv_response
from insights import charts, extensions
from insights.forms import InsightsFilterForm
from insights.models import WeekRollup
from insights.services import (
    Insights,
    ReviewerFigures,
    Selection,
    figures_per_criterion,
    figures_per_reviewer,
    figures_per_week,
    figures_reading,
    figures_tracker_hits_per_week,
    insights_export_audit,
    insights_figures,
    selection_of,
)
from reviews.services import PERM_REVIEW, may_see_all, may_see_reviews


def _user(request: HttpRequest) -> AbstractBaseUser:
    # LoginRequiredMiddleware guarantees a signed-in user; this fails closed all the same.
    if not isinstance(request.user, AbstractBaseUser) or not may_see_reviews(user=request.user):
        raise PermissionDenied
    return request.user


def _reviewers(user: AbstractBaseUser) -> QuerySet[Any] | None:
    """Whom the viewer may pick: everyone who reviews (holds the permission) or has submitted
    reviews, for those who see all reviews; None (no choice: their own figures) for a
    reviewer."""
    if not may_see_all(user=user):
        return None
    app, codename = PERM_REVIEW.split(".")
    holders = get_user_model().objects.filter(
        Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app)
        | Q(
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app,
        )
    )
    # Subqueries, not joins. Those who submitted reviews are read from the roll-up's buckets
    # (a few thousand rows), not from every review.
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=holders.values("pk")) | Q(pk__in=WeekRollup.objects.values("reviewer_id"))
        )
        .order_by("username")
    )


def _form(request: HttpRequest, user: AbstractBaseUser) -> InsightsFilterForm:
    # An untouched page is the default range: the form is bound to nothing but still cleaned.
    return InsightsFilterForm(request.GET or {}, reviewers=_reviewers(user))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:g} %"


def _charts(insights: Insights) -> dict[str, Any]:
    return {
        "week_chart": charts.week_chart(
            [
                charts.WeekValue(
                    label=f"{week.week:%d %b}", rate=week.pass_rate, score=week.average_score
                )
                for week in insights.weeks
            ]
        ),
        "criteria_chart": charts.bar_chart(
            [
                charts.BarValue(
                    label=criterion.label,
                    value=criterion.failure_rate,
                    text=_percent(criterion.failure_rate) or "never answered",
                )
                for criterion in insights.criteria
            ],
            scale_max=100,
        ),
        "tracker_chart": charts.count_chart(
            [
                charts.WeekCount(
                    label=f"{week.week:%d %b}",
                    total=week.hits,
                    part=week.confirmed,
                    title=f"{week.week:%d %b}: {week.hits} hits, {week.confirmed} confirmed",
                )
                for week in insights.tracker_weeks
            ]
        ),
        "volume_chart": charts.bar_chart(
            [
                charts.BarValue(label=r.username, value=r.reviews, text=str(r.reviews))
                for r in insights.reviewers
            ]
        ),
        "score_chart": charts.bar_chart(
            [
                charts.BarValue(
                    label=r.username, value=r.average_score, text=_percent(r.average_score)
                )
                for r in insights.reviewers
            ],
            scale_max=100,
        ),
    }


@require_GET
def insights_page(request: HttpRequest) -> HttpResponse:
    """Pass rate and average score per week, failure rate per criterion, figures per reviewer,
    tracker hits per week."""
    user = _user(request)
    form = _form(request, user)
    if not form.is_valid():
        return render(request, "insights/insights.html", {"form": form}, status=400)
    insights = insights_figures(user=user, filters=form.filters())
    query = request.GET.urlencode()
    # Columns other apps add (calibration's distance from references), cells by username.
    extra_columns = extensions.reviewer_columns_cells(
        user=user, usernames=[reviewer.username for reviewer in insights.reviewers]
    )
    return render(
        request,
        "insights/insights.html",
        {
            "form": form,
            "insights": insights,
            "sees_all": may_see_all(user=user),
            "time_zone": settings.TIME_ZONE,
            "reviewer_titles": [column.title for column in REVIEWER_COLUMNS]
            + [column.label for column in extra_columns],
            "reviewer_rows": [
                (
                    reviewer.username,
                    [column.html(reviewer) for column in REVIEWER_COLUMNS]
                    + [column.cells.get(reviewer.username, "") for column in extra_columns],
                )
                for reviewer in insights.reviewers
            ],
            "export_urls": {
                chart: reverse("insights:export", kwargs={"chart": chart})
                + (f"?{query}" if query else "")
                for chart in EXPORTS
            },
            **_charts(insights),
        },
    )


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@dataclass(frozen=True)
class ReviewerColumn:
    """One column of the per-reviewer table, in the page and in its CSV export: a new figure
    per reviewer is one more of these (and its field in `ReviewerFigures`)."""

    title: str
    csv_name: str
    value: Callable[[ReviewerFigures], float | None]
    unit: str = ""  # written after the value in the page: " %"
    missing: str = ""  # what the page writes for no value: "no score"

    def html(self, reviewer: ReviewerFigures) -> str:
        value = self.value(reviewer)
        return self.missing if value is None else f"{value:g}{self.unit}"

    def csv(self, reviewer: ReviewerFigures) -> str:
        return _cell(self.value(reviewer))


REVIEWER_COLUMNS = [
    ReviewerColumn("Reviews", "reviews", lambda r: r.reviews),
    ReviewerColumn("Passed", "passed", lambda r: r.passed),
    ReviewerColumn("Pass rate", "pass_rate_percent", lambda r: r.pass_rate, unit=" %"),
    ReviewerColumn(
        "Average score",
        "average_score_percent",
        lambda r: r.average_score,
        unit=" %",
        missing="no score",
    ),
]


def _week_rows(selection: Selection) -> Iterable[Sequence[str]]:
    for week in figures_per_week(selection=selection):
        yield (
            week.week.isoformat(),
            str(week.reviews),
            str(week.passed),
            _cell(week.pass_rate),
            _cell(week.average_score),
        )


def _criterion_rows(selection: Selection) -> Iterable[Sequence[str]]:
    for criterion in figures_per_criterion(selection=selection):
        yield (
            criterion.scorecard,
            criterion.label,
            str(criterion.answered),
            str(criterion.failed),
            _cell(criterion.failure_rate),
        )


def _reviewer_rows(selection: Selection) -> Iterable[Sequence[str]]:
    for reviewer in figures_per_reviewer(selection=selection):
        yield (reviewer.username, *(column.csv(reviewer) for column in REVIEWER_COLUMNS))


def _reviewer_columns_added(
    *, user: AbstractBaseUser, header: Sequence[str], rows: list[Sequence[str]]
) -> tuple[Sequence[str], list[Sequence[str]]]:
    # The columns other apps add to the per-reviewer table (calibration's distance from
    # references), as in the page; rows start with the reviewer's username.
    extra = extensions.reviewer_columns_csv(user=user, usernames=[row[0] for row in rows])
    return (
        [*header, *(column.label for column in extra)],
        [[*row, *(column.cells.get(row[0], "") for column in extra)] for row in rows],
    )


def _tracker_rows(selection: Selection) -> Iterable[Sequence[str]]:
    for week in figures_tracker_hits_per_week(selection=selection):
        yield (
            week.week.isoformat(),
            str(week.hits),
            str(week.confirmed),
            str(week.overridden),
            _cell(week.confirmation_rate),
        )


# Each chart's CSV: its header, and its rows from the selected reviews (only its own queries).
EXPORTS: dict[str, tuple[Sequence[str], Callable[[Selection], Iterable[Sequence[str]]]]] = {
    "weeks": (
        ["week_starting", "reviews", "passed", "pass_rate_percent", "average_score_percent"],
        _week_rows,
    ),
    "criteria": (
        ["scorecard", "criterion", "answered_yes_or_no", "answered_no", "failure_rate_percent"],
        _criterion_rows,
    ),
    "reviewers": (
        ["reviewer", *(column.csv_name for column in REVIEWER_COLUMNS)],
        _reviewer_rows,
    ),
    "trackers": (
        ["week_starting", "tracker_hits", "confirmed", "overridden", "confirmed_percent"],
        _tracker_rows,
    ),
}


@require_GET
def insights_export(request: HttpRequest, chart: str) -> HttpResponseBase:
    """One chart's numbers as CSV, for the same filters as the page; audited."""
    user = _user(request)
    if chart not in EXPORTS:
        raise Http404("There is no such chart.")
    form = _form(request, user)
    if not form.is_valid():
        return render(request, "insights/insights.html", {"form": form}, status=400)
    filters = form.filters()
    header, rows = EXPORTS[chart]
    with figures_reading():
        # A row per week or per criterion at most: read here, within the transaction.
        figures = list(rows(selection_of(user=user, filters=filters)))
    if chart == "reviewers":
        header, figures = _reviewer_columns_added(user=user, header=header, rows=figures)
    insights_export_audit(user=user, chart=chart, filters=filters)
    return csv_response(
        lines=csv_lines(header=header, rows=figures),
        filename=f"insights-{chart}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv",
    )
