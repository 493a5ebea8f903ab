"""A followup's values as the dashboard knows them: its type and status in words and tones, whether
it is a call, the choices of a filter by type or status, and its summary on one line.

GetBill's own lists of types and statuses live in the client package (`FOLLOWUP_TYPES`,
`FOLLOWUP_STATUSES`: the only values a filter sends); this module gives each of them words and
keeps them in the order people read them. Upstream enums are open-ended (GetBill documents 11
statuses on one page and 12 on another, and no list at all for disconnection reasons), so every
lookup here falls back to the value put in words (`carrier_pigeon` reads "Carrier pigeon") under
a neutral tone, instead of failing or hiding it.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES

if TYPE_CHECKING:
    from followups.getbill import Followup

Tone = Literal["success", "progress", "neutral", "failure"]
EnumField = Literal["status", "type"]

UNKNOWN_ICON = "dot"
# What a status or type GetBill sent with the wrong type reads as, on every page.
UNKNOWN_VALUE = "unknown"


def value_words(*, value: str) -> str:
    """An upstream code this dashboard has no words for, in words: `escalated_legal` reads
    "Escalated legal". Every page shows newer values this way."""
    words = " ".join(value.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else value


# Tone is what the status means for the collection: done and good, still under way, no
# outcome either way, or a bad outcome. The label carries the meaning too, never colour alone.
STATUS_WORDS: dict[str, tuple[str, Tone]] = {
    "on_hold": ("On hold", "neutral"),
    "scheduled": ("Scheduled", "progress"),
    "in_progress": ("In progress", "progress"),
    "sent": ("Sent", "progress"),
    "delivered": ("Delivered", "progress"),
    "read": ("Read", "progress"),
    "deal_found": ("Deal found", "success"),
    "no_answer": ("No answer", "neutral"),
    "deal_not_found": ("No deal", "failure"),
    "bad_behavior": ("Bad behaviour", "failure"),
    "failed": ("Failed", "failure"),
    "cancelled": ("Cancelled", "neutral"),
}

# A type's label and icon, calls first: the order of every type filter.
TYPE_WORDS: dict[str, tuple[str, str]] = {
    "call": ("Call", "phone"),
    "manual_call": ("Manual call", "headset"),
    "voicemail": ("Voicemail", "voicemail"),
    "email": ("Email", "mail"),
    "sms": ("SMS", "message"),
    "whatsapp": ("WhatsApp", "chat"),
    "physical": ("In-person visit", "pin"),
    "postmail": ("Letter", "letter"),
}

# Words for exactly GetBill's documented values: a value GetBill adds to its documentation
# gets its words here before the dashboard starts (a filter could not name it otherwise).
for _words, _documented in ((STATUS_WORDS, FOLLOWUP_STATUSES), (TYPE_WORDS, FOLLOWUP_TYPES)):
    if set(_words) != set(_documented):
        raise RuntimeError(f"words for {sorted(set(_words) ^ set(_documented))} are out of step")

# Types whose followup is a phone call, with call facts and possibly a recording; in the order
# the review queue asks GetBill for them.
CALL_TYPES = ("call", "manual_call", "voicemail")
# Messages sent to a phone number.
PHONE_MESSAGE_TYPES = frozenset({"sms", "whatsapp"})
# Fields only a call has: a type this dashboard does not know is a call when it carries any.
CALL_FIELDS = ("duration_ms", "direction", "disconnection_reason", "call_id", "audio_url")

Category = Literal["calls", "emails", "letters", "messages", "others"]

DIRECTIONS = {"inbound": "Inbound", "outbound": "Outbound"}

# GetBill documents only `completed_successfully`; the others are the values telephony
# providers commonly report, worded for a reviewer.
DISCONNECTION_REASONS = {
    "completed_successfully": "Call completed normally",
    "user_hangup": "Debtor hung up",
    "customer_hangup": "Debtor hung up",
    "agent_hangup": "Agent ended the call",
    "call_transfer": "Transferred",
    "voicemail_reached": "Reached voicemail",
    "machine_detected": "Answering machine detected",
    "inactivity": "Ended after silence",
    "max_duration_reached": "Maximum call length reached",
    "no_answer": "No answer",
    "dial_no_answer": "No answer",
    "busy": "Line busy",
    "dial_busy": "Line busy",
    "dial_failed": "Call could not be placed",
    "invalid_number": "Invalid phone number",
    "concurrency_limit_reached": "Provider call limit reached",
    "error": "Provider error",
}


# --- A followup's type and status -------------------------------------------------------------


def enum_value_shown(*, followup: Followup, field: EnumField) -> str | None:
    """The status or type as every page shows it: GetBill's value, "unknown" when GetBill sent
    it with the wrong type, None when it is missing."""
    if field in followup.invalid_fields:
        return UNKNOWN_VALUE
    value = getattr(followup, field)
    return value if isinstance(value, str) and value else None


def followup_is_call(*, followup: Followup) -> bool:
    """A call-like type, or a type this dashboard does not know carrying any call fact."""
    followup_type = enum_value_shown(followup=followup, field="type")
    if followup_type in CALL_TYPES:
        return True
    if followup_type in TYPE_WORDS:
        return False
    return any(getattr(followup, name) is not None for name in CALL_FIELDS)


def followup_category(*, followup: Followup) -> Category:
    """The kind a debt's totals count `followup` under."""
    if followup_is_call(followup=followup):
        return "calls"
    followup_type = enum_value_shown(followup=followup, field="type")
    if followup_type == "email":
        return "emails"
    if followup_type == "postmail":
        return "letters"
    if followup_type in PHONE_MESSAGE_TYPES:
        return "messages"
    return "others"


# --- Values in words --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusDisplay:
    value: str
    label: str
    tone: Tone
    known: bool


@dataclass(frozen=True)
class TypeDisplay:
    value: str
    label: str
    icon: str
    known: bool


def status_display(*, status: str | None) -> StatusDisplay | None:
    if not status:
        return None
    known = STATUS_WORDS.get(status)
    if known is None:
        return StatusDisplay(
            value=status, label=value_words(value=status), tone="neutral", known=False
        )
    return StatusDisplay(value=status, label=known[0], tone=known[1], known=True)


def type_display(*, followup_type: str | None) -> TypeDisplay | None:
    if not followup_type:
        return None
    known = TYPE_WORDS.get(followup_type)
    if known is None:
        return TypeDisplay(
            value=followup_type,
            label=value_words(value=followup_type),
            icon=UNKNOWN_ICON,
            known=False,
        )
    return TypeDisplay(value=followup_type, label=known[0], icon=known[1], known=True)


def enum_label(*, field: EnumField, value: str) -> str:
    """A status or type in words; a value the dashboard does not know, put in words."""
    words = STATUS_WORDS if field == "status" else TYPE_WORDS
    known = words.get(value)
    return known[0] if known else value_words(value=value)


def direction_label(*, direction: str | None) -> str | None:
    if not direction:
        return None
    return DIRECTIONS.get(direction) or value_words(value=direction)


def disconnection_reason_label(*, reason: str | None) -> str | None:
    if not reason:
        return None
    return DISCONNECTION_REASONS.get(reason) or value_words(value=reason)


# --- Filters by type and status ---------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoice:
    """One option of a filter by type or status; `count` when the page knows how many match
    (a debt's page does, GetBill's list does not)."""

    value: str
    label: str
    selected: bool
    count: int | None = None


def documented_values(*, field: EnumField) -> tuple[str, ...]:
    """GetBill's documented values of `field`, in the order people read them."""
    return tuple(STATUS_WORDS if field == "status" else TYPE_WORDS)


def filter_choices(
    *, field: EnumField, selected: str | None, present: Iterable[str | None] | None = None
) -> tuple[FilterChoice, ...]:
    """The options of a filter by `field`: every documented value, or, given the values
    `present` on a page, those with their counts (and the selected one, at 0 if absent).
    Documented values come in their reading order, others after them by value."""
    if present is None:
        return tuple(
            FilterChoice(
                value=value, label=enum_label(field=field, value=value), selected=value == selected
            )
            for value in documented_values(field=field)
        )
    counts = Counter(value for value in present if value)
    if selected and selected not in counts:
        counts[selected] = 0
    rank = {value: index for index, value in enumerate(documented_values(field=field))}
    ordered = sorted(counts, key=lambda value: (rank.get(value, len(rank)), value))
    return tuple(
        FilterChoice(
            value=value,
            label=enum_label(field=field, value=value),
            selected=value == selected,
            count=counts[value],
        )
        for value in ordered
    )


# --- The summary on one line ------------------------------------------------------------------


def summary_line(*, text: str | None, max_length: int) -> str:
    """The summary's first line as a list shows it: no control or format characters, white
    space in single spaces, cut to `max_length` characters with an ellipsis; "" for none."""
    lines = (text or "").strip().splitlines()
    if not lines:
        return ""
    # GetBill's text was cleaned when it was read; on one line of a list, spaces and anything
    # unprintable all become a single space.
    visible = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in lines[0])
    words = " ".join(visible.split())
    if len(words) <= max_length:
        return words
    return words[: max_length - 1].rstrip() + "…"
