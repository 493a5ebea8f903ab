"""What the client tells the apps built on it, without knowing them.

`followups_received` is sent with `followups=` (a tuple of `Followup`) whenever GetBill's answer
about followups has just been read (a followup, a page of a debt's followups, a page of the
list): a kept copy served again is not sent. Apps keep their own copy of what they need of it
up to date (the transcripts keep a call's facts); a receiver that fails is logged and does not
fail the lookup.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.dispatch import Signal

from followups.getbill.models import Followup

logger = logging.getLogger(__name__)

followups_received = Signal()


def followups_received_send(*, followups: Sequence[Followup]) -> None:
    if not followups:
        return
    for receiver, outcome in followups_received.send_robust(
        sender=Followup, followups=tuple(followups)
    ):
        if isinstance(outcome, Exception):
            logger.error(
                "Updating from GetBill's answer failed in %s: %s",
                getattr(receiver, "__qualname__", receiver),
                type(outcome).__name__,
            )
