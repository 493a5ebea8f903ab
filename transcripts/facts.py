"""The dashboard's table of calls follows GetBill's answers: the one home of the rule that puts
a call in the table and keeps its facts (type, status, date, duration, debt, whether there is a
recording) as GetBill last gave them, so calls can be listed, searched, filtered and ordered
without asking GetBill.

It runs whenever an answer about followups passes through the client
(`followups.getbill.followups_received`, connected in `TranscriptsConfig.ready()`): a page that
fetched a followup or a list, a webhook's followup kept as the answer, the periodic read of the
newest calls. A call not in the table yet comes in as `known` (not transcribed); a row's facts
are rewritten only when they changed.

A page writes them once it has been sent (`after_response`): a `known` call shows on no panel,
and a write lost to an error is made again by the next answer about the call, so the user does
not wait for it. A webhook delivery (`work_at_once`) and the tasks write them at once. Either
way a new row is dated when the answer came in, not when it was written: the calls a page
fetched are not new to that page (`webhooks.live` shows the calls learnt of after it opened).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from dashboard.after_response import after_response
from followups import values
from followups.getbill import Followup
from transcripts.models import Transcript

FACT_FIELDS = (
    "call_type",
    "call_status",
    "called_at",
    "call_duration_ms",
    "debt_id",
    "has_recording",
)
_TEXT_MAX_LENGTH = 64
# PositiveIntegerField's ceiling (PostgreSQL's integer): no call lasts 24 days.
_DURATION_MAX_MS = 2**31 - 1


def is_call(followup: Followup) -> bool:
    """Whether the followup belongs in the table of calls: a call by the dashboard's one rule
    (`followups.values.followup_is_call`), or anything GetBill gave a recording (which can be
    transcribed whatever its type says)."""
    return values.followup_is_call(followup=followup) or bool(followup.audio_url)


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
        "has_recording": bool(followup.audio_url),
    }


def facts_refresh(*, followups: Sequence[Followup], learnt_at: datetime | None = None) -> int:
    """Put the calls among `followups` in the table (`known`, dated `learnt_at`: when their
    answer came in, by default now) and copy their facts onto the rows that have changed; how
    many rows were written. One query when there is no call among them and none of them has a
    row."""
    by_id = {followup.id: followup for followup in followups}
    rows = list(
        Transcript.objects.filter(followup_id__in=by_id).only("pk", "followup_id", *FACT_FIELDS)
    )
    now = timezone.now()
    changed = []
    for row in rows:
        facts = facts_from_followup(by_id[row.followup_id])
        facts["has_recording"] = facts["has_recording"] or row.has_recording
        if all(getattr(row, name) == value for name, value in facts.items()):
            continue
        for name, value in facts.items():
            setattr(row, name, value)
        row.facts_updated_at = now
        changed.append(row)
    if changed:
        Transcript.objects.bulk_update(changed, [*FACT_FIELDS, "facts_updated_at"])
    known = {row.followup_id for row in rows}
    new = [
        Transcript(
            followup_id=followup.id,
            status=Transcript.Status.KNOWN,
            **facts_from_followup(followup),
            facts_updated_at=now,
            created_at=learnt_at or now,
        )
        for followup in by_id.values()
        if followup.id not in known and is_call(followup)
    ]
    if new:
        # Another worker may have put the same call in meanwhile: its row stands.
        Transcript.objects.bulk_create(new, ignore_conflicts=True)
    return len(changed) + len(new)


def facts_on_followups_received(*, followups: Sequence[Followup], **kwargs: object) -> None:
    after_response(functools.partial(facts_refresh, followups=followups, learnt_at=timezone.now()))
