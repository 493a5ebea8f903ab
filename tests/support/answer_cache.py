"""Helpers of the client's tests of the shared answer cache: a link expiry, and a lookup."""

from datetime import UTC, datetime, timedelta

from followups import getbill
from followups.getbill import AnswerMode
from tests.support.examples import FOLLOWUP_ID


def expires_in(seconds: float) -> str:
    """A `media_urls_expire_at` this many seconds from now (in the past when negative)."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def followup_lookup(mode: AnswerMode = AnswerMode.CACHED) -> getbill.Answer[getbill.Followup]:
    """The example followup, through the shared cache."""
    return getbill.followup_answer_get(followup_id=FOLLOWUP_ID, mode=mode)
