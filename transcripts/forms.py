"""What a manager sends to queue calls from the followups list: the ticked followups' IDs and
the list's page to go back to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from followups.browse import LIST_PAGE_SIZE
from followups.forms import InputError, InputForm
from followups.getbill import GetBillId, getbill_id_clean, id_is_valid


class QueueInputError(InputError):
    title = "Not calls to queue"
    audit_words = "not followups to queue for transcription"


class FollowupIdsField(forms.MultipleChoiceField):
    """Followup IDs as the list's checkboxes send them: one page of them at most."""

    def __init__(self) -> None:
        super().__init__(
            required=True,
            error_messages={"required": "Tick the calls to queue for transcription first."},
        )

    def valid_value(self, value: Any) -> bool:
        return id_is_valid(value)

    def clean(self, value: Any) -> list[GetBillId]:
        ids = super().clean(value)
        if len(ids) > LIST_PAGE_SIZE:
            raise ValidationError(
                f"At most {LIST_PAGE_SIZE} calls at a time (a page of the list).", code="max"
            )
        return [getbill_id_clean(raw=value) for value in ids]


class TranscriptsQueueForm(InputForm):
    """`followup_id` (repeated) and `next`, the list's address to return to."""

    input_error = QueueInputError

    followup_id = FollowupIdsField()
    next = forms.CharField(required=False, max_length=2000)

    def clean_next(self) -> str:
        # Only the dashboard's own followups list: never a redirect elsewhere.
        target = str(self.cleaned_data.get("next") or "")
        list_url = reverse("followups:lookup")
        if target.startswith(list_url) and url_has_allowed_host_and_scheme(
            target, allowed_hosts=None
        ):
            return target
        return list_url
