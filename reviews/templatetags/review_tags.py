"""Template helpers of QA reviews: moments as m:ss."""

from __future__ import annotations

from django import template

from reviews.host import moment_format

register = template.Library()


@register.filter
def moment(seconds: int | None) -> str:
    """Seconds as the player's clock (m:ss or h:mm:ss); empty for None."""
    return "" if seconds is None else moment_format(seconds)
