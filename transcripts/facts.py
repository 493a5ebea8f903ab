"""The call's facts kept on its transcript (type, status, date, duration, debt), as GetBill
last gave them, so calls can be searched, filtered and ordered without asking GetBill.

They are refreshed whenever an answer about the followup passes through the client
(`followups.getbill.followups_received`, connected in `TranscriptsConfig.ready()`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from followups.getbill import Followup
from transcripts.models import Transcript

FACT_FIELDS = ("call_type", "call_status", "called_at", "call_duration_ms", "debt_id")
_TEXT_MAX_LENGTH = 64
# PositiveIntegerField's ceiling (PostgreSQL's integer): no call lasts 24 days.
_DURATION_MAX_MS = 2**31 - 1


def facts_from_followup(followup: Followup) -> dict[str, Any]:
    duration = followup.duration_ms
    return {
        "call_type": (followup.type or "")[:_TEXT_MAX_LENGTH],
        "call_status": (followup.status or "")[:_TEXT_MAX_LENGTH],
        "called_at": followup.call_date,
        "call_duration_ms": duration
        if duration is not None and 0 <= duration <= _DURATION_MAX_MS
        else None,
        "debt_id": (followup.debt_id or "")[:_TEXT_MAX_LENGTH],
    }


def facts_refresh(*, followups: Sequence[Followup]) -> int:
    """Copy the facts of `followups` onto their transcripts, where there are some and they
    changed; how many transcripts changed. One query when none of them has a transcript."""
    by_id = {followup.id: followup for followup in followups}
    transcripts = list(
        Transcript.objects.filter(followup_id__in=by_id).only("pk", "followup_id", *FACT_FIELDS)
    )
    now = timezone.now()
    changed = []
    for transcript in transcripts:
        facts = facts_from_followup(by_id[transcript.followup_id])
        if all(getattr(transcript, name) == value for name, value in facts.items()):
            continue
        for name, value in facts.items():
            setattr(transcript, name, value)
        transcript.facts_updated_at = now
        changed.append(transcript)
    if changed:
        Transcript.objects.bulk_update(changed, [*FACT_FIELDS, "facts_updated_at"])
    return len(changed)


def facts_on_followups_received(*, followups: Sequence[Followup], **kwargs: object) -> None:
    facts_refresh(followups=followups)
