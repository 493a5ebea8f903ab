"""What the dashboard's pages show only on the sandbox: how to sign in, and followups to try.

The dashboard never imports the sandbox; the settings add this context processor in sandbox
mode only, and the templates show these values when they are there.
"""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from sandbox.data import EXAMPLES
from sandbox.management.commands.sandbox_demo_account import DEMO_PASSWORD, DEMO_USERNAME

# A few followups that show what the dashboard does, for the empty home page.
SAMPLES: list[tuple[str, str]] = [
    ("call_deal_found", "A call that ended in a payment plan, with its recording"),
    ("postmail_pdf", "A letter with its PDF"),
    ("email_many_opens", "An email opened 17 times"),
    ("long_notes", "A call with long notes"),
    ("unknown_enums", "Values newer than GetBill's documentation"),
]
BIG_DEBT_LABEL = "A debt with 140 followups"


def _demo_account() -> dict[str, str]:
    # No query: the sign-in page stays free of database work (and `make run` creates the
    # account); the page names the command that makes it.
    return {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}


def _samples() -> list[dict[str, str]]:
    links = [
        {
            "label": label,
            "id": EXAMPLES[name],
            "url": reverse("followups:detail", kwargs={"followup_id": EXAMPLES[name]}),
        }
        for name, label in SAMPLES
    ]
    big_debt = EXAMPLES["big_debt"]
    links.append(
        {
            "label": BIG_DEBT_LABEL,
            "id": big_debt,
            "url": reverse("followups:debt_followups", kwargs={"debt_id": big_debt}),
        }
    )
    return links


def sandbox_guide(request: HttpRequest) -> dict[str, Any]:
    return {"sandbox_demo_account": _demo_account, "sandbox_samples": _samples}
