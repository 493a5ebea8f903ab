"""Template helpers of the recording player (templates/followups/_recording.html) and of moments
of a recording wherever they show (a comment's `clock`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from followups import extensions, moments, recording
from followups.getbill import Followup

register = template.Library()

# 24x24 stroke icons of the player's buttons; constants, so safe to emit as markup.
PLAYER_ICONS: dict[str, str] = {
    "play": '<path d="M7 4.5v15l12-7.5z" fill="currentColor"/>',
    "pause": '<path d="M7 4.5h3.5v15H7zM13.5 4.5H17v15h-3.5z" fill="currentColor"/>',
    "back": '<path d="M4 12a8 8 0 1 0 2.4-5.7"/><path d="M4 4v5h5"/>',
    "forward": '<path d="M20 12a8 8 0 1 1-2.4-5.7"/><path d="M20 4v5h-5"/>',
    "volume": '<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/><path d="M15.5 9a4 4 0 0 1 0 6"/>'
    '<path d="M18 6.5a7.5 7.5 0 0 1 0 11"/>',
    "muted": '<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/><path d="m16 9.5 5 5M21 9.5l-5 5"/>',
    "link": '<path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1"/>'
    '<path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1"/>',
    "reload": '<path d="M20 12a8 8 0 1 1-2.4-5.7"/><path d="M20 4v5h-5"/>',
}


@register.simple_tag
def player_icon(name: str) -> SafeString:
    """A decorative icon for a player button (the button's label names the action)."""
    return mark_safe(  # noqa: S308 - the paths are the constants above
        f'<svg class="icon player-icon player-icon-{name}" aria-hidden="true" viewBox="0 0 24 24" '
        'width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" '
        f'stroke-linecap="round" stroke-linejoin="round" focusable="false">{PLAYER_ICONS[name]}'
        "</svg>"
    )


@register.filter
def recording_start(raw: str | None, duration_ms: int | None = None) -> int | str:
    """`{{ request.GET.t|recording_start:followup.duration_ms }}`: seconds, or "" if none."""
    start = recording.recording_start_parse(
        raw=raw if isinstance(raw, str) else None,
        duration_ms=duration_ms if isinstance(duration_ms, int) else None,
    )
    return "" if start is None else start


@register.filter
def recording_start_past_end(raw: str | None, duration_ms: int | None = None) -> int | str:
    """`{{ request.GET.t|recording_start_past_end:followup.duration_ms }}`: the seconds asked
    for when they are past the end of the recording, or "" otherwise."""
    past = recording.recording_start_past_end(
        raw=raw if isinstance(raw, str) else None,
        duration_ms=duration_ms if isinstance(duration_ms, int) else None,
    )
    return "" if past is None else past


@register.filter
def recording_start_unreadable(raw: str | None) -> bool:
    """`{{ request.GET.t|recording_start_unreadable }}`: a `t` value that is no time."""
    return recording.recording_start_unreadable(raw=raw if isinstance(raw, str) else None)


@register.filter
def seconds_left(expires_at: datetime | None) -> int | str:
    """Seconds until a signed link expires, or "" when GetBill did not say."""
    left = recording.recording_link_seconds_left(
        expires_at=expires_at if isinstance(expires_at, datetime) else None
    )
    return "" if left is None else left


@register.filter
def clock(seconds: int | str | None) -> str:
    """Whole seconds as a player shows them: `1:30`, `1:02:03`; `0:00` when empty."""
    if not isinstance(seconds, int):
        return "0:00"
    return moments.moment_format(seconds)


@register.filter
def duration_seconds(ms: int | None) -> str:
    """A length in milliseconds as seconds for a slider's `max`: `57.785`; "" when unknown."""
    return moments.seconds_exact_format(ms=ms if isinstance(ms, int) else None)


@register.simple_tag(takes_context=True)
def seek_bar_layers(context: dict[str, Any], followup: Followup) -> SafeString:
    """What the apps draw on the seek bar of `followup`'s player (followups.extensions)."""
    request = context.get("request")
    # The layers are drawn for a user: a template rendered outside a signed-in page has none.
    if not isinstance(request, HttpRequest) or getattr(request, "user", None) is None:
        return SafeString("")
    layers = extensions.seek_bar_layers_render(request=request, followup=followup)
    return SafeString("".join(layers))
