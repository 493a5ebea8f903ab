"""Scorecards in the admin: a scorecard reviews answered gets a new version when edited."""

from django.urls import reverse

from reviews import services
from reviews.models import Scorecard
from tests.support.reviews import CALL_ID, answers_all


def _change_form(scorecard, *, labels, name=None):
    criteria = list(scorecard.criteria.all())
    data = {
        "name": name or scorecard.name,
        "description": scorecard.description,
        "is_active": "on",
        "pass_mark": scorecard.pass_mark,
        "coaching_mark": scorecard.coaching_mark,
        "criteria-TOTAL_FORMS": len(labels),
        "criteria-INITIAL_FORMS": len(criteria),
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 1000,
    }
    for index, label in enumerate(labels):
        existing = criteria[index] if index < len(criteria) else None
        data.update(
            {
                f"criteria-{index}-id": existing.pk if existing else "",
                f"criteria-{index}-scorecard": scorecard.pk,
                f"criteria-{index}-position": index + 1,
                f"criteria-{index}-label": label,
                f"criteria-{index}-help_text": "",
                f"criteria-{index}-weight": 1,
            }
        )
    return data


def _url(scorecard):
    return reverse("admin:reviews_scorecard_change", args=[scorecard.pk])


def test_editing_an_unused_scorecard_changes_it_in_place(admin_client, scorecard):
    response = admin_client.post(
        _url(scorecard), _change_form(scorecard, labels=["A", "B", "C", "D"])
    )
    assert response.status_code == 302
    assert Scorecard.objects.count() == 1
    assert list(scorecard.criteria.values_list("label", flat=True)) == ["A", "B", "C", "D"]


def test_editing_a_scorecard_in_use_makes_a_new_version(admin_client, qa_user, scorecard):
    old_labels = list(scorecard.criteria.values_list("label", flat=True))
    review = services.review_save(
        user=qa_user,
        followup_id=CALL_ID,
        data=services.ReviewInput(
            scorecard_id=scorecard.pk, answers=answers_all(scorecard, "yes"), submit=True
        ),
    )
    response = admin_client.post(
        _url(scorecard), _change_form(scorecard, labels=["Only one"], name="Calls, revised")
    )
    assert response.status_code == 302
    newer = Scorecard.objects.get(is_current=True)
    assert newer.pk != scorecard.pk
    assert (newer.name, newer.version, newer.family) == ("Calls, revised", 2, scorecard.family)
    assert list(newer.criteria.values_list("label", flat=True)) == ["Only one"]
    scorecard.refresh_from_db()
    assert (scorecard.name, scorecard.is_current) == ("Calls", False)
    assert list(scorecard.criteria.values_list("label", flat=True)) == old_labels
    review.refresh_from_db()
    assert review.scorecard_id == scorecard.pk
    # The old version is the record of what was answered: it can no longer be changed.
    assert (
        admin_client.post(_url(scorecard), _change_form(scorecard, labels=["X"])).status_code == 403
    )
