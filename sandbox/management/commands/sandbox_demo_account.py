"""Create the local demo account used with the sandbox, and say how to sign in."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from sandbox.review_demo import demo_scorecard_ensure
from trackers.models import Tracker
from trackers.services import trackers_import

# Collections calls' demo trackers (also an example of the file `trackers_import` reads).
DEMO_TRACKERS_FILE = Path(__file__).resolve().parents[2] / "trackers_demo.json"

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-followups"
# Every role, and the admin (for the audit trail), so a newcomer sees everything.
DEMO_GROUPS = ["Collections managers", "QA reviewers", "Auditors"]


def _demo_roles_grant(user: User) -> None:
    user.groups.add(*Group.objects.filter(name__in=DEMO_GROUPS))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


class Command(BaseCommand):
    help = (
        "Create the sandbox demo account if no account exists yet, and print its credentials; "
        "create the demo review scorecard and trackers if they are missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.GETBILL_SANDBOX:
            raise CommandError("The demo account only exists on the sandbox.")
        if demo_scorecard_ensure() is not None:
            self.stdout.write("Demo review scorecard created (QA reviews, Scorecards).")
        if not Tracker.objects.exists():
            trackers_import(text=DEMO_TRACKERS_FILE.read_text(encoding="utf-8"))
            self.stdout.write("Demo trackers created (Admin, Trackers).")
        user_model = get_user_model()
        existing = user_model.objects.filter(username=DEMO_USERNAME).first()
        if existing is not None:
            _demo_roles_grant(existing)
            self.stdout.write(
                f"Demo account: sign in as {DEMO_USERNAME} / {DEMO_PASSWORD} "
                "(unless its password was changed)."
            )
            return
        if user_model.objects.exists():
            self.stdout.write("Accounts exist already; no demo account created.")
            return
        user = user_model.objects.create_user(
            username=DEMO_USERNAME, password=DEMO_PASSWORD, is_staff=True
        )
        _demo_roles_grant(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account created: sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )
