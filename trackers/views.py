"""The review queue by risk (`/queue/?order=risk`), registered in followups.extensions."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from followups.browse import QueueSnapshot
from followups.htmx import HtmxHttpRequest, page_render
from followups.views import QUEUE_SESSION_KEY
from trackers.queue import risk_queue_get

RISK_ORDER = "risk"


class RiskQueueForm(forms.Form):
    flag = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Every transcribed call"),
            ("flagged", "Flagged"),
            ("forbidden", "Forbidden phrase said"),
            ("required", "Required phrase missing"),
            ("signal", "Signal words"),
        ],
    )
    sort = forms.ChoiceField(
        required=False, choices=[("", "Flagged first"), ("newest", "Newest first")]
    )


def risk_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    form = RiskQueueForm(request.GET)
    cleaned = form.cleaned_data if form.is_valid() else {}
    queue = risk_queue_get(
        user=user, flag=cleaned.get("flag", ""), newest_first=cleaned.get("sort") == "newest"
    )
    # "Next in queue" follows this order.
    snapshot = QueueSnapshot(
        part=1, ids=tuple(row.followup_id for row in queue.rows), has_older=False
    )
    request.session[QUEUE_SESSION_KEY] = snapshot.as_session()
    status = 200 if form.is_valid() else 400
    context = {"queue": queue, "form": form, "risk_order": RISK_ORDER}
    return page_render(
        cast(HtmxHttpRequest, request), "trackers/risk_queue.html", context, status=status
    )
