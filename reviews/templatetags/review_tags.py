"""Template helpers of QA reviews: the detail page's panels and moments as m:ss."""

from __future__ import annotations

from typing import Any

from django import template

from reviews import panels, services
from reviews.moments import moment_format

register = template.Library()


@register.inclusion_tag("reviews/_panels.html", takes_context=True)
def review_panels(context: template.Context, followup: Any) -> dict[str, Any]:
    """The comments next to the player and the user's review, for those who review (or see
    reviews); nothing for anyone else. `followup` is the one the page just fetched."""
    request = context["request"]
    user = request.user
    if not services.may_see_reviews(user=user):
        return {"shown": False}
    # Comments are pinned to moments of a recording: none for an email or a letter.
    has_recording = bool(followup.audio_url or followup.duration_ms)
    return {
        "shown": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "comments_panel": panels.comments_context(
            user=user,
            followup_id=followup.id,
            recording_end=services.recording_end_token(
                followup_id=followup.id, duration_ms=followup.duration_ms
            ),
        )
        if has_recording
        else None,
        "review_panel": panels.review_context(user=user, followup_id=followup.id)
        if services.may_review(user=user)
        else None,
    }


@register.filter
def moment(seconds: int | None) -> str:
    """Seconds as the player's clock (m:ss or h:mm:ss); empty for None."""
    return "" if seconds is None else moment_format(seconds)
