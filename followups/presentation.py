"""How a followup reads for a person on its own page: its facts, media links, phone numbers and
the page's title. The words for its type, status and other values live in `followups.values`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

from followups.getbill import (
    Answer,
    AnswerSource,
    InvalidIdError,
    getbill_id_clean,
    media_url_allowed,
)
from followups.moments import duration_format
from followups.values import (
    Tone,
    TypeDisplay,
    direction_label,
    disconnection_reason_label,
    enum_value_shown,
    followup_category,
    status_display,
    type_display,
)

if TYPE_CHECKING:
    from followups.getbill import Followup

# ITU-T E.164 country calling codes of one and two digits; every other code has three digits.
# That is enough to split any E.164 number into its country code and national number.
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_CODES = frozenset(
    {20, 27, *range(30, 35), 36, 39, 40, 41, *range(43, 50), *range(51, 59)}
    | {*range(60, 67), 81, 82, 84, 86, *range(90, 96), 98}
)

# How each country writes its numbers, for the countries collections here mostly call: the first
# rule whose prefix starts the national number and whose lengths fit is used. Group sizes are
# read from the left; -1 takes the rest (subscriber numbers of variable length).
REST = -1
_GROUPINGS: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {
    "1": (("", (3, 3, 4)),),  # North America: +1 415 555 0132
    "31": (("6", (1, 8)), ("", (2, 3, 4))),  # Netherlands: +31 6 12345678, +31 20 123 4567
    "32": (("4", (3, 2, 2, 2)), ("2", (1, 3, 2, 2)), ("", (2, 2, 2, 2))),  # Belgium
    "33": (("", (1, 2, 2, 2, 2)),),  # France: +33 8 00 12 34 56
    "34": (("", (3, 2, 2, 2)),),  # Spain: +34 612 34 56 78
    "41": (("", (2, 3, 2, 2)),),  # Switzerland: +41 44 668 18 00
    "44": (  # United Kingdom: +44 20 7946 0318, +44 7700 900123, +44 161 496 0000
        ("2", (2, 4, 4)),
        ("7", (4, 6)),
        *((city, (3, 3, 4)) for city in ("11", "121", "131", "141", "151", "161", "191")),
        ("1", (4, 6)),
        ("", (3, 3, 4)),
    ),
    "45": (("", (2, 2, 2, 2)),),  # Denmark
    "48": (("", (3, 3, 3)),),  # Poland
    "49": (  # Germany: +49 30 23125402, +49 151 23456789
        *((area, (2, REST)) for area in ("30", "40", "69", "89")),
        *((mobile, (3, REST)) for mobile in ("15", "16", "17")),
    ),
    "351": (("", (3, 3, 3)),),  # Portugal: +351 912 345 678
    "352": (("", (3, 3, 3)),),  # Luxembourg mobiles: +352 621 123 456
    "377": (("", (2, 2, 2, 2)),),  # Monaco: +377 93 15 20 00
}


def _grouping_find(code: str, national: str) -> tuple[int, ...] | None:
    for prefix, sizes in _GROUPINGS.get(code, ()):
        fixed = sum(size for size in sizes if size != REST)
        fits = len(national) > fixed if REST in sizes else len(national) == fixed
        if national.startswith(prefix) and fits:
            return sizes
    return None


def _country_code_split(digits: str) -> tuple[str, str]:
    if digits[:1] in _ONE_DIGIT_CODES:
        return digits[:1], digits[1:]
    if int(digits[:2]) in _TWO_DIGIT_CODES:
        return digits[:2], digits[2:]
    return digits[:3], digits[3:]


def _groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, start = [], 0
    for size in sizes:
        end = len(digits) if size == REST else start + size
        out.append(digits[start:end])
        start = end
    return out


_E164_DIGITS = re.compile(r"[0-9]{8,15}")


def phone_format(*, number: str | None) -> str | None:
    """Group an E.164 number for reading; anything else is returned unchanged.

    Numbers no rule above knows get the country code split off and the national number in
    groups of three from the left: never a changed digit, and readable without a full
    numbering-plan database.
    """
    if not number:
        return None
    raw = number.strip()
    digits = raw[1:]
    # ASCII digits only: str.isdigit() also takes superscripts, which int() refuses.
    if not raw.startswith("+") or not _E164_DIGITS.fullmatch(digits):
        return raw
    code, national = _country_code_split(digits)
    sizes = _grouping_find(code, national)
    if sizes is not None:
        parts = _groups(national, sizes)
    else:
        parts = [national[i : i + 3] for i in range(0, len(national), 3)]
        # Avoid a lonely last digit: "123 456 7" reads worse than "123 45 67".
        if len(parts) > 1 and len(parts[-1]) == 1:
            parts[-2:] = [parts[-2][:2], parts[-2][2:] + parts[-1]]
    return " ".join([f"+{code}", *parts])


# The moments below are formatted by hand as Django's date formats write them ("Y-m-d H:i:s T",
# "j M Y", "j M Y, H:i"): a followup's page shows a dozen moments, and Django's `dateformat`
# reads its format string anew each time, some 70 µs a moment.


def datetime_exact(*, value: datetime) -> str:
    """The exact, unambiguous form shown on hover: 2024-01-22 11:30:00 CET (a naive moment is
    named with the default time zone, as Django's "T" does)."""
    name = value.tzname() if timezone.is_aware(value) else None
    if name is None:
        name = timezone.get_default_timezone().tzname(value)
    return f"{value.year:04d}-{value:%m-%d %H:%M:%S} {name or ''}"


def date_short(*, value: datetime) -> str:
    """The day alone: 22 Jan 2024."""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year:04d}"


def datetime_short(*, value: datetime) -> str:
    """The day and the time to the minute: 22 Jan 2024, 11:30."""
    return f"{date_short(value=value)}, {value:%H:%M}"


# --- The detail page ------------------------------------------------------------------------

FactKind = Literal["text", "mono", "datetime", "missing", "unknown"]
MediaState = Literal["available", "unavailable", "absent", "unknown"]


@dataclass(frozen=True)
class Fact:
    """One labelled value of a followup; `kind` tells the template how to show it."""

    label: str
    kind: FactKind
    value: Any = None
    tone: Tone | None = None


@dataclass(frozen=True)
class Media:
    """A recording or document link: `url` is set only when it passed the media-host check."""

    state: MediaState
    url: str | None = None


@dataclass(frozen=True)
class FollowupDetail:
    followup: Followup
    status: str | None
    type: TypeDisplay | None
    call_like: bool
    email: bool
    message_facts: list[Fact]
    summary: Fact
    notes: Fact
    debt_id: Fact
    debt_url: str | None
    when: list[Fact]
    call_facts: list[Fact]
    email_facts: list[Fact]
    recording: Media
    document: Media

    @property
    def has_player(self) -> bool:
        return followup_has_player(followup=self.followup)

    @property
    def recording_playable(self) -> bool:
        """The player has a recording to play, and a seek bar that the apps draw on."""
        return self.recording.state == "available"


def _fact(
    followup: Followup,
    field: str,
    label: str,
    *,
    kind: FactKind = "text",
    show: Callable[[Any], Any] = lambda value: value,
    tone: Callable[[Any], Tone | None] = lambda value: None,
) -> Fact:
    # A field GetBill sent with the wrong type was dropped by the client: say "unknown" rather
    # than pretend it was empty.
    if field in followup.invalid_fields:
        return Fact(label=label, kind="unknown")
    raw = getattr(followup, field)
    shown = None if raw is None else show(raw)
    if shown is None or shown == "":
        return Fact(label=label, kind="missing")
    return Fact(label=label, kind=kind, value=shown, tone=tone(raw))


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _good_if_true(value: bool) -> Tone:
    return "success" if value else "neutral"


def _count_tone(value: int) -> Tone:
    return "success" if value else "neutral"


def followup_media(*, followup: Followup, field: Literal["audio_url", "pdf_url"]) -> Media:
    """Only URLs on the allowed media hosts ever reach a `src` or `href`."""
    if field in followup.invalid_fields:
        return Media(state="unknown")
    url = getattr(followup, field)
    if not url:
        return Media(state="absent")
    if not media_url_allowed(url=url):
        return Media(state="unavailable")
    return Media(state="available", url=url)


def followup_has_player(*, followup: Followup) -> bool:
    """The followup's page shows the recording's player: for every call (saying so when there
    is no recording), and for anything else that has a recording. Nothing else can have a
    transcript."""
    return (
        followup_category(followup=followup) == "calls"
        or followup_media(followup=followup, field="audio_url").state != "absent"
    )


def debt_page_url(*, debt_id: str | None) -> str | None:
    # The ID comes from upstream: only one that passes the same rules as a typed ID gets a link.
    if not debt_id:
        return None
    try:
        clean = getbill_id_clean(raw=debt_id)
    except InvalidIdError:
        return None
    return reverse("followups:debt_followups", kwargs={"debt_id": clean})


def followup_detail(*, followup: Followup) -> FollowupDetail:
    f = followup
    status = enum_value_shown(followup=f, field="status")
    followup_type = enum_value_shown(followup=f, field="type")
    category = followup_category(followup=f)
    phone_fact = _fact(
        f, "phone_number_used", "Phone number", kind="mono", show=lambda v: phone_format(number=v)
    )
    return FollowupDetail(
        followup=f,
        status=status,
        type=type_display(followup_type=followup_type),
        call_like=category == "calls",
        email=category == "emails",
        message_facts=[phone_fact] if category == "messages" else [],
        summary=_fact(f, "summary", "Summary"),
        notes=_fact(f, "notes", "Notes"),
        debt_id=_fact(f, "debt_id", "Debt", kind="mono"),
        debt_url=debt_page_url(debt_id=f.debt_id),
        when=[
            _fact(f, "scheduled_at", "Scheduled", kind="datetime"),
            _fact(f, "call_date", "Executed", kind="datetime"),
            _fact(f, "processed_at", "Processed", kind="datetime"),
        ],
        call_facts=[
            _fact(f, "duration_ms", "Duration", kind="mono", show=lambda v: duration_format(ms=v)),
            _fact(f, "direction", "Direction", show=lambda v: direction_label(direction=v)),
            phone_fact,
            _fact(
                f,
                "disconnection_reason",
                "Ended",
                show=lambda v: disconnection_reason_label(reason=v),
            ),
            _fact(f, "call_id", "Provider call ID", kind="mono"),
        ],
        email_facts=[
            _fact(f, "email_opened", "Opened", show=_yes_no, tone=_good_if_true),
            _fact(f, "email_open_count", "Opens", tone=_count_tone),
            _fact(f, "email_first_opened_at", "First opened", kind="datetime"),
            _fact(f, "email_clicked", "Clicked", show=_yes_no, tone=_good_if_true),
            _fact(f, "email_click_count", "Clicks", tone=_count_tone),
        ],
        recording=followup_media(followup=f, field="audio_url"),
        document=followup_media(followup=f, field="pdf_url"),
    )


@dataclass(frozen=True)
class AnswerNote:
    """The banner over a page shown from a kept copy rather than GetBill's answer.

    `failure` says why GetBill is not answering ("" when the copy was served to save the
    quota); `refresh_skipped` when "Refresh from GetBill" was asked for and not done;
    `media_removed` when the copy's recording or letter links had expired and were left out.
    """

    source: str
    fetched_at: datetime
    failure: str
    refresh_skipped: bool
    media_removed: bool


def answer_note(*, answer: Answer[Any], refresh: bool = False) -> AnswerNote | None:
    """What the page says about where `answer` came from; None for a normal answer (fresh from
    GetBill or the cache)."""
    stale = answer.source is AnswerSource.STALE
    refresh_skipped = refresh and answer.quota_reserve
    if not stale and not refresh_skipped:
        return None
    return AnswerNote(
        source=answer.source,
        fetched_at=answer.fetched_at,
        failure=answer.failure.outage_words if answer.failure is not None else "",
        refresh_skipped=refresh_skipped,
        media_removed=answer.media_removed,
    )


def followup_page_title(*, detail: FollowupDetail, debtor: str | None) -> str:
    """The detail page's tab title: what it shows (type, status, debtor), not only an ID.

    `debtor` is the debtor as the user's role may see them (initials for QA reviewers).
    """
    status = status_display(status=detail.status)
    parts = [
        detail.type.label if detail.type else "Followup",
        status.label if status else None,
        debtor,
    ]
    return " · ".join(part for part in parts if part)
