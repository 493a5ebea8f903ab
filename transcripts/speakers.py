"""Who speaks in a transcript. A two-channel recording keeps the agent and the debtor apart; the
dialer decides which channel is whose, and TRANSCRIPT_AGENT_CHANNEL says which is the agent's.
A one-channel call has no speakers (the segments' speaker is None): none are invented."""

from __future__ import annotations

from django.conf import settings

AGENT = "Agent"
DEBTOR = "Debtor"


def speaker_label(index: int | None) -> str:
    """ "Agent", "Debtor", or "" when the speaker is not known."""
    if index is None or isinstance(index, bool) or not isinstance(index, int):
        return ""
    return AGENT if index == settings.TRANSCRIPT_AGENT_CHANNEL else DEBTOR
