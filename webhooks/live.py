"""The review queue and the followups list update themselves: calls the dashboard learnt of
after the page was opened (from GetBill's webhooks, or a colleague's page) appear above it,
marked new, by htmx polling the page's region of new calls. Read from the dashboard's own
table of calls only: a poll asks GetBill nothing, writes no audit entry (the facts shown hold
no personal data) and does not count as the user's activity (the session still ends when they
leave the page alone).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from followups import access, browse
from followups.browse import ListFilters
from transcripts.models import Transcript
from transcripts.services import calls_known_since

# How often an open page asks for new calls, and how many it shows at most.
POLL_SECONDS = 30
NEW_CALLS_MAX = 20
# Who sees the list's new calls: whoever may see the list.
LIST_PERMISSIONS = (access.PERM_VIEW_FOLLOWUP_DATA,)


def new_calls_html(*, request: HttpRequest, user: AbstractBaseUser, since: int) -> str:
    """The queue's region of the calls that came in after `since` (Unix seconds) and are in
    `user`'s queue (not reviewed by them), newest first; "" for a user without the queue's
    permissions. The region polls again for the same `since`, so the marks stay until the page
    is reloaded.
    """
    if not access.user_may(user=user, permissions=browse.QUEUE_PERMISSIONS):
        return ""
    reviewed = browse.queue_reviewed_ids(user=user)
    calls = [
        call
        for call in calls_known_since(since=_moment(since), limit=NEW_CALLS_MAX)
        if call.followup_id not in reviewed
    ]
    return _region_html(
        request=request,
        calls=calls,
        region_id="queue-new-calls",
        detail_query=urlencode({"from": browse.FROM_QUEUE}),
        poll_url=reverse("webhooks:new_calls") + f"?{urlencode({'since': since})}",
    )


def list_new_calls_html(
    *, request: HttpRequest, user: AbstractBaseUser, since: int, filters: ListFilters
) -> str:
    """The followups list's region of the calls that came in after `since` and match the
    list's type and status filters (the facts the table keeps), newest first; "" for a user
    who may not see the list."""
    if not access.user_may(user=user, permissions=LIST_PERMISSIONS):
        return ""
    calls = calls_known_since(
        since=_moment(since),
        limit=NEW_CALLS_MAX,
        call_type=filters.type,
        call_status=filters.status,
    )
    query = {"since": str(since), "type": filters.type or "", "status": filters.status or ""}
    poll_query = urlencode({name: value for name, value in query.items() if value})
    return _region_html(
        request=request,
        calls=calls,
        region_id="list-new-calls",
        detail_query="",
        poll_url=reverse("webhooks:list_new_calls") + f"?{poll_query}",
    )


def queue_new_calls_region(request: HttpRequest) -> str:
    """The region on the queue's first part as it is opened: nothing new yet, polling."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        return ""
    return new_calls_html(request=request, user=user, since=_now())


def list_new_calls_region(request: HttpRequest, filters: ListFilters) -> str:
    """The region on the followups list's first page as it is opened: nothing new yet,
    polling. Older pages have nothing newer to show."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or filters.page > 1:
        return ""
    return list_new_calls_html(request=request, user=user, since=_now(), filters=filters)


def _now() -> int:
    # Rounded up: the calls the page's own request put in the table (a list's answer does)
    # are not new to it, even those of the same second.
    return math.ceil(datetime.now(UTC).timestamp())


def _moment(since: int) -> datetime:
    return datetime.fromtimestamp(since, UTC)


def _region_html(
    *,
    request: HttpRequest,
    calls: list[Transcript],
    region_id: str,
    detail_query: str,
    poll_url: str,
) -> str:
    return render_to_string(
        "webhooks/_new_calls.html",
        {
            "calls": [
                {
                    "call": call,
                    "detail_url": reverse(
                        "followups:detail", kwargs={"followup_id": call.followup_id}
                    )
                    + (f"?{detail_query}" if detail_query else ""),
                }
                for call in calls
            ],
            "region_id": region_id,
            "poll_url": poll_url,
            "poll_seconds": POLL_SECONDS,
        },
        request=request,
    )
