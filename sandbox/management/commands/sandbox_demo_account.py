"""Create the local demo account used with the sandbox, and say how to sign in."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-followups"


class Command(BaseCommand):
    help = "Create the sandbox demo account if no account exists yet, and print its credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.GETBILL_SANDBOX:
            raise CommandError("The demo account only exists on the sandbox.")
        user_model = get_user_model()
        if user_model.objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write(
                f"Demo account: sign in as {DEMO_USERNAME} / {DEMO_PASSWORD} "
                "(unless its password was changed)."
            )
            return
        if user_model.objects.exists():
            self.stdout.write("Accounts exist already; no demo account created.")
            return
        user_model.objects.create_user(username=DEMO_USERNAME, password=DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account created: sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )
