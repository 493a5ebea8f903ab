"""Template helpers shared by every page that shows followups (detail, search, debt timeline)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

from dashboard.outage import OUTAGE_ERRORS
from followups import getbill, moments, presentation, values

register = template.Library()

# 24x24 stroke icons drawn for this dashboard; constants, so safe to emit as markup.
ICONS: dict[str, str] = {
    "phone": '<path d="M5 4h3.5l2 5-2.5 1.5a11 11 0 0 0 5.5 5.5l1.5-2.5 5 2V19a2 2 0 0 1-2 2'
    'A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"/>',
    "headset": '<path d="M4 15v-3a8 8 0 0 1 16 0v3"/><path d="M4 15h3v5H5.5A1.5 1.5 0 0 1 4 18.5z'
    '"/><path d="M20 15h-3v5h1.5a1.5 1.5 0 0 0 1.5-1.5z"/><path d="M17 20c0 1-2 2-4 2"/>',
    "voicemail": '<circle cx="6.5" cy="12" r="3.5"/><circle cx="17.5" cy="12" r="3.5"/>'
    '<path d="M6.5 15.5h11"/>',
    "mail": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 7 8.5 6 8.5-6"/>',
    "message": '<path d="M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H10l-5 4v-4a2 2 0 0 1-2-2V6'
    'a2 2 0 0 1 2-2z"/><path d="M8 9h8M8 12.5h5"/>',
    "chat": '<path d="M3.5 20.5 5 16a8.5 8.5 0 1 1 3 3z"/><path d="M9.5 9.5c0 2.5 2.5 5 5 5"/>',
    "pin": '<path d="M12 21s-7-6-7-11a7 7 0 0 1 14 0c0 5-7 11-7 11z"/>'
    '<circle cx="12" cy="10" r="2.5"/>',
    "letter": '<path d="M6 3h8l5 5v13H6z"/><path d="M14 3v5h5M9 13h7M9 17h7"/>',
    "dot": '<circle cx="12" cy="12" r="4"/>',
    "copy": '<rect x="9" y="9" width="11" height="11" rx="2"/>'
    '<path d="M15 9V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v7a2 2 0 0 0 2 2h3"/>',
    "check": '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
    "payment": '<circle cx="12" cy="12" r="9"/>'
    '<path d="M15 8.8a4 4 0 1 0 0 6.4M7.5 11h5M7.5 13h5"/>',
    "retry": '<path d="M20 12a8 8 0 1 1-2.4-5.7"/><path d="M20 4v5h-5"/>',
    "arrow-right": '<path d="M5 12h14M13 6l6 6-6 6"/>',
    "arrow-left": '<path d="M19 12H5M11 6l-6 6 6 6"/>',
    "external": '<path d="M14 4h6v6M20 4l-9 9"/><path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7'
    'a1 1 0 0 1 1-1h5"/>',
    "alert": '<path d="M12 3.5 22 20.5H2z"/><path d="M12 10v4.5M12 17.5v.01"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-4-4"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "recording": '<path d="M4 15v-3a8 8 0 0 1 16 0v3"/>'
    '<rect x="3" y="14" width="4.5" height="6.5" rx="1.5"/>'
    '<rect x="16.5" y="14" width="4.5" height="6.5" rx="1.5"/>',
}


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    """An inline SVG icon; decorative unless given a `label` for screen readers."""
    paths = ICONS.get(name, ICONS[values.UNKNOWN_ICON])
    a11y = format_html('role="img" aria-label="{}"', label) if label else 'aria-hidden="true"'
    return mark_safe(  # noqa: S308 - paths are constants above; the label is escaped
        f'<svg class="icon icon-{name if name in ICONS else values.UNKNOWN_ICON}" '
        f'{a11y} viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" focusable="false">'
        f"{paths}</svg>"
    )


@register.inclusion_tag("followups/_status_badge.html")
def status_badge(status: str | None) -> dict[str, Any]:
    return {"status": values.status_display(status=status)}


@register.inclusion_tag("followups/_type_label.html")
def type_label(followup_type: str | None, icon_only: bool = False) -> dict[str, Any]:
    return {
        "type": values.type_display(followup_type=followup_type),
        "icon_only": icon_only,
    }


@register.filter
def duration(ms: int | None) -> str:
    return moments.duration_format(ms=ms) or ""


@register.filter
def phone(number: str | None) -> str:
    return presentation.phone_format(number=number) or ""


def _relative(value: datetime, now: datetime) -> str:
    ahead = (value - now).total_seconds()
    if -60 < ahead <= 0:
        return "just now"
    if 0 < ahead < 60:
        # A wait (a retry time) is worth its seconds.
        seconds = math.ceil(ahead)
        return f"in {seconds}\u00a0second{'s' if seconds > 1 else ''}"
    if value <= now:
        return f"{timesince(value, now, depth=1)} ago"
    return f"in {timeuntil(value, now, depth=1)}"


@register.simple_tag
def when(value: datetime | None, style: str = "full") -> SafeString | str:
    """A moment in the user's time zone: relative ("3 days ago") in a <time> element whose
    `datetime` is machine-readable and whose title is the exact time.

    `full` also prints the date and time next to it, so they are readable without hovering
    (touch screens, keyboards); `relative` is for dense lists; `date` is the day alone
    ("16 Nov 2026"), for lists where the moment matters less than telling rows apart.
    """
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    exact = presentation.datetime_exact(value=local)
    relative = _relative(value, timezone.now() if timezone.is_aware(value) else datetime.now())
    if style == "date":
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            value.isoformat(),
            exact,
            presentation.date_short(value=local),
        )
    if style == "relative":
        return format_html(
            '<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, relative
        )
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="when-absolute">{}</span>',
        value.isoformat(),
        exact,
        relative,
        presentation.datetime_short(value=local),
    )


@register.simple_tag
def fact_value(fact: presentation.Fact) -> SafeString:
    """A fact's value as every page shows it: its moment (`when`), in a monospace font, or as
    text with its line breaks; a dash for one GetBill did not send, "unknown" for one it sent
    in a form the dashboard cannot read. (A tag rather than an included template: a followup's
    page shows some twenty of them.)"""
    if fact.kind == "unknown":
        return format_html(
            '<span class="unknown" title="{}">unknown</span>',
            "GetBill sent this field in a form the dashboard cannot read",
        )
    if fact.kind == "missing":
        return SafeString('<span class="missing" title="Not provided">—</span>')
    if fact.kind == "datetime":
        return SafeString(when(fact.value))
    if fact.kind == "mono":
        return format_html('<span class="mono">{}</span>', fact.value)
    return SafeString(linebreaksbr(fact.value, autoescape=True))


# Under this share of the hour's quota left, the footer warns: lookups may soon be refused.
QUOTA_WARNING_SHARE = 0.1


@register.inclusion_tag("followups/_quota.html", takes_context=True)
def getbill_quota(context: template.Context, oob: bool = False) -> dict[str, Any]:
    """The company's GetBill quota as last seen (from the cache, never asking GetBill), for
    users who look followups up; nothing while it is unknown.

    With `oob`, marked for htmx to swap into the footer of the page around a fragment, so
    the footer follows every answer, not only full page loads.
    """
    shown: dict[str, Any] = {"quota": None, "oob": oob}
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("followups.view_followup_data"):
        return shown
    try:
        status = getbill.rate_limit_status_get()
        reserve = getbill.quota_status_under_reserve(status=status)
    except OUTAGE_ERRORS:
        # The cache is down: the page works without the footer's figure.
        return shown
    if status is None or status.remaining is None or status.limit is None or status.limit <= 0:
        return shown
    return {
        **shown,
        "quota": status,
        "remaining": f"{status.remaining:,}",
        "limit": f"{status.limit:,}",
        "low": status.remaining < status.limit * QUOTA_WARNING_SHARE,
        "reserve": reserve,
        "reset_epoch": int(status.reset_at.timestamp()) if status.reset_at else 0,
    }
