"""The review queue updates itself: calls the dashboard learnt of after the queue was opened
(from GetBill's webhooks, or a colleague's page) appear above it, marked new, by htmx polling
`new_calls_region`. Read from the dashboard's own table of calls only: a poll asks GetBill
nothing, writes no audit entry (the facts shown hold no personal data) and does not count as
the user's activity (the session still ends when they leave the page alone).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from followups import access, browse
from transcripts.services import calls_known_since

# How often an open queue asks for new calls, and how many it shows at most.
POLL_SECONDS = 30
NEW_CALLS_MAX = 20


def new_calls_html(*, request: HttpRequest, user: AbstractBaseUser, since: int) -> str:
    """The region of the calls that came in after `since` (Unix seconds) and are in `user`'s
    queue (not reviewed by them), newest first; "" for a user without the queue's permissions.
    The region polls again for the same `since`, so the marks stay until the page is reloaded.
    """
    if not access.user_may(user=user, permissions=browse.QUEUE_PERMISSIONS):
        return ""
    reviewed = browse.queue_reviewed_ids(user=user)
    calls = [
        call
        for call in calls_known_since(since=datetime.fromtimestamp(since, UTC), limit=NEW_CALLS_MAX)
        if call.followup_id not in reviewed
    ]
    detail_query = urlencode({"from": browse.FROM_QUEUE})
    return render_to_string(
        "webhooks/_new_calls.html",
        {
            "calls": [
                {
                    "call": call,
                    "detail_url": reverse(
                        "followups:detail", kwargs={"followup_id": call.followup_id}
                    )
                    + f"?{detail_query}",
                }
                for call in calls
            ],
            "poll_url": reverse("webhooks:new_calls") + f"?{urlencode({'since': since})}",
            "poll_seconds": POLL_SECONDS,
        },
        request=request,
    )


def queue_new_calls_region(request: HttpRequest) -> str:
    """The region on the queue's first part as it is opened: nothing new yet, polling."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        return ""
    return new_calls_html(request=request, user=user, since=int(datetime.now(UTC).timestamp()))
