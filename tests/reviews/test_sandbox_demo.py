"""The sandbox's demo scorecard, made by `manage.py sandbox_demo_account` (`make run`)."""

from io import StringIO

import pytest
from django.core.management import call_command

from reviews.models import Scorecard
from sandbox.review_demo import DEMO_SCORECARD_NAME


@pytest.mark.django_db
def test_the_demo_command_creates_the_collections_call_scorecard_once():
    out = StringIO()
    call_command("sandbox_demo_account", stdout=out)
    assert "Demo review scorecard created" in out.getvalue()
    scorecard = Scorecard.objects.get(name=DEMO_SCORECARD_NAME)
    criteria = list(scorecard.criteria.all())
    assert [c.label for c in criteria] == [
        "Identity checked",
        "Required disclosure given",
        "Respectful tone",
        "Balance stated correctly",
        "Payment options offered",
        "No threats or pressure",
        "Agreement confirmed",
        "Call wrapped up correctly",
    ]
    assert [c.label for c in criteria if c.critical] == [
        "Required disclosure given",
        "No threats or pressure",
    ]
    call_command("sandbox_demo_account", stdout=StringIO())
    assert Scorecard.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_command_creates_the_demo_trackers_once():
    from trackers.models import Tracker

    call_command("sandbox_demo_account", stdout=StringIO())
    assert set(Tracker.objects.values_list("name", "kind")) >= {
        ("Call recorded notice", "required"),
        ("Threats", "forbidden"),
        ("Lawyer", "signal"),
        ("Bankruptcy", "signal"),
    }
    Tracker.objects.filter(name="Lawyer").delete()
    call_command("sandbox_demo_account", stdout=StringIO())
    assert not Tracker.objects.filter(name="Lawyer").exists()
