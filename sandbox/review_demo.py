"""The demo scorecard for collections calls that a sandbox setup starts with.

Made by `manage.py sandbox_demo_account` (run by `make run`), once: a scorecard an
administrator changed or withdrew is left as it is.
"""

from reviews.models import Scorecard
from reviews.services import CriterionSpec, scorecard_create

DEMO_SCORECARD_NAME = "Collections call (demo)"
DEMO_CRITERIA = [
    CriterionSpec(
        label="Identity checked",
        weight=2,
        help_text="The agent confirmed they were speaking to the debtor before any detail.",
    ),
    CriterionSpec(
        label="Required disclosure given",
        weight=3,
        critical=True,
        help_text="Who is calling, on whose behalf, and that it is an attempt to collect a debt.",
    ),
    CriterionSpec(label="Respectful tone", weight=2, help_text="Calm, polite, no interrupting."),
    CriterionSpec(
        label="Balance stated correctly",
        weight=2,
        help_text="The amount and the creditor match the debt.",
    ),
    CriterionSpec(
        label="Payment options offered",
        weight=2,
        help_text="Payment in full, a plan, or a date, as the debtor's situation allows.",
    ),
    CriterionSpec(
        label="No threats or pressure",
        weight=3,
        critical=True,
        help_text="No threats of action that is not intended or allowed; no harassment.",
    ),
    CriterionSpec(
        label="Agreement confirmed",
        weight=1,
        help_text="Amount, dates and channel repeated back; n/a when nothing was agreed.",
    ),
    CriterionSpec(
        label="Call wrapped up correctly",
        weight=1,
        help_text="Next steps said, contact details given, polite close.",
    ),
]


def demo_scorecard_ensure() -> Scorecard | None:
    """Create the demo scorecard unless one of that name exists; returns it when created."""
    if Scorecard.objects.filter(name=DEMO_SCORECARD_NAME).exists():
        return None
    return scorecard_create(
        name=DEMO_SCORECARD_NAME,
        description="What every collections call must do; the two critical criteria fail it.",
        criteria=DEMO_CRITERIA,
    )
