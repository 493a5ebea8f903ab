"""Template helpers of the debt's timeline."""

from __future__ import annotations

from typing import Any

from django import template

from followups.debts import debt_links
from followups.getbill import Followup, InvalidIdError, getbill_id_clean

register = template.Library()


@register.inclusion_tag("followups/_debt_side.html")
def debt_timeline_panel(followup: Followup) -> dict[str, Any]:
    """The detail page's side panel, which loads the debt's timeline after the page.

    Nothing when the followup has no debt ID that passes GetBill's ID rules: no link is built
    from an ID that could change the URL.
    """
    try:
        debt_id = getbill_id_clean(raw=followup.debt_id or "")
    except InvalidIdError:
        return {"links": None}
    return {"links": debt_links(debt_id=debt_id, current_id=followup.id), "loading": True}
