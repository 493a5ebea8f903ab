"""The insights page and its exports through Django's test client, by role."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import AuditAction, AuditEntry
from reviews.models import Verdict

PAGE = reverse("insights:page")


def _recent(days_ago: int = 1) -> datetime:
    return timezone.now().astimezone(UTC) - timedelta(days=days_ago)


@pytest.fixture
def two_reviewers(scorecard, review_make, qa_user, manager_user):
    review_make(
        reviewer=qa_user,
        scorecard=scorecard,
        at=_recent(),
        values=["yes", "no"],
        verdict=Verdict.PASS,
        score="75.0",
    )
    review_make(
        reviewer=manager_user,
        scorecard=scorecard,
        at=_recent(),
        values=["no", "no"],
        verdict=Verdict.FAIL,
        score="0.0",
    )


def test_a_manager_sees_everyones_figures_in_charts_and_tables(manager_client, two_reviewers):
    response = manager_client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") == 4
    assert "style=" not in body.split("<main", 1)[1]
    assert "qa-user" in body
    assert "manager-user" in body
    assert "Everyone's submitted reviews" in body


def test_a_reviewer_sees_their_own_figures_and_cannot_pick_another(
    qa_client, two_reviewers, manager_user
):
    body = qa_client.get(PAGE, {"reviewer": manager_user.pk}).content.decode()
    assert "qa-user" in body
    assert "manager-user" not in body
    assert 'name="reviewer"' not in body


def test_roles_without_reviews_are_refused(plain_client):
    assert plain_client.get(PAGE).status_code == 403


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"start": "2026-11-10", "end": "2026-11-01"}, "before the start date"),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "at most"),
        ({"start": "yesterday"}, "Enter a valid date"),
        ({"call_type": "<script>"}, "Select a valid choice"),
    ],
)
def test_bad_filters_are_a_400_that_says_why(manager_client, query, says):
    response = manager_client.get(PAGE, query)
    assert response.status_code == 400
    assert says in response.content.decode()
    export = manager_client.get(reverse("insights:export", kwargs={"chart": "weeks"}), query)
    assert export.status_code == 400


def test_a_reviewer_with_no_reviews_gets_empty_charts_that_say_so(
    manager_client, auditor_user, two_reviewers, db
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    newcomer = get_user_model().objects.create_user(username="newcomer")
    newcomer.user_permissions.add(Permission.objects.get(codename="review_followup"))
    response = manager_client.get(PAGE, {"reviewer": newcomer.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No submitted reviews match these filters" in body
    assert "<svg" not in body
    assert "No reviews this week" in body


def test_each_chart_exports_its_numbers_as_csv_and_the_export_is_audited(
    manager_client, two_reviewers
):
    url = reverse("insights:export", kwargs={"chart": "reviewers"})
    response = manager_client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["reviewer", "reviews"]
    assert sorted(row[0] for row in rows[1:]) == ["manager-user", "qa-user"]
    entry = AuditEntry.objects.filter(action=AuditAction.REVIEWS_EXPORT).get()
    assert re.fullmatch(r"insights reviewers, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d", entry.detail)
    for chart in ("weeks", "criteria"):
        assert (
            manager_client.get(reverse("insights:export", kwargs={"chart": chart})).status_code
            == 200
        )
    assert manager_client.get("/insights/export/secrets.csv").status_code == 404


def test_tracker_hits_have_a_chart_a_table_and_an_audited_export(
    manager_client, qa_client, scorecard, review_make, qa_user, manager_user
):
    from reviews.models import SuggestionUse

    for reviewer in (qa_user, manager_user):
        review_make(
            reviewer=reviewer,
            scorecard=scorecard,
            at=_recent(),
            values=["no", "yes"],
            verdict=Verdict.FAIL,
            score="25.0",
            suggestions=[SuggestionUse.FOLLOWED, ""],
            flagged=[True, False],
        )

    body = manager_client.get(PAGE).content.decode()
    table = body.split("data-insights-trackers", 1)[1].split("</table>", 1)[0]
    assert "<td>2</td><td>2</td><td>0</td><td>100.0 %</td>" in table
    assert 'aria-labelledby="trackers-title"' in body
    assert body.count("<svg") == 5
    own = qa_client.get(PAGE).content.decode().split("data-insights-trackers", 1)[1]
    assert "<td>1</td><td>1</td><td>0</td><td>100.0 %</td>" in own

    response = manager_client.get(reverse("insights:export", kwargs={"chart": "trackers"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "week_starting",
        "tracker_hits",
        "confirmed",
        "overridden",
        "confirmed_percent",
    ]
    assert [row[1:] for row in rows[1:] if row[1] != "0"] == [["2", "2", "0", "100"]]
    entry = AuditEntry.objects.filter(action=AuditAction.REVIEWS_EXPORT).get()
    assert entry.detail.startswith("insights trackers, ")


def test_the_reviewer_table_and_its_export_have_the_same_columns(manager_client, two_reviewers):
    body = manager_client.get(PAGE).content.decode()
    table = body.split("data-insights-reviewers", 1)[1].split("</table>", 1)[0]
    assert "<td>qa-user</td><td>1</td><td>1</td><td>100 %</td><td>75 %</td>" in table
    response = manager_client.get(reverse("insights:export", kwargs={"chart": "reviewers"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # Then the columns other apps add, in the page's order (calibration: no sessions yet).
    assert rows[0][:5] == [
        "reviewer",
        "reviews",
        "passed",
        "pass_rate_percent",
        "average_score_percent",
    ]
    assert ["qa-user", "1", "1", "100", "75", ""] in rows
