"""What users type or pick on the followups pages, read by Django forms: the list's filters and
page, the queue's part, a debt page's filters and the lookup box.

A refused value is an `InputError` (400) with the form's first message; the use cases audit it
(`followups.access.failures_audited`) and the error boundary shows it. Only GetBill's
documented values pass a filter (the client package checks them again before any request).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from followups import values
from followups.errors import AppError

# Pages past this are refused (400) instead of being asked for: 25,000 followups back, where
# the filters reach with fewer requests.
LIST_PAGE_MAX = 1000
QUEUE_PART_MAX = 20
# ASCII digits only: `int()` would read "٣" and "2.0" would pass Django's IntegerField.
_WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")
# A refused value is quoted back this far at most.
_QUOTED_MAX = 40


# The days a date filter takes: any call, review or week anyone asks about, and far enough from
# the calendar's ends (years 1 and 9999) that the day after, its week's Monday and its start in
# any time zone are dates too.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_DAYS_MESSAGE = "Pick a day from 1 January 1900 to 31 December 2999."


class DayField(forms.DateField):
    """A day picked in a filter (`<input type="date">`), from FIRST_DAY to LAST_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)
        self.validators.extend(
            [
                MinValueValidator(FIRST_DAY, message=_DAYS_MESSAGE),
                MaxValueValidator(LAST_DAY, message=_DAYS_MESSAGE),
            ]
        )


class InputError(AppError):
    """A value the page does not offer; nothing was asked of GetBill."""

    audit_outcome = "rejected_input"


class ListInputError(InputError):
    """A filter or page the followups list (or the queue) does not offer."""

    title = "Not a page of the followups list"
    audit_words = "not a filter or page of the followups list"


class InputForm(forms.Form):
    """A form whose refusal is raised as `input_error` with the first message."""

    input_error: type[InputError] = InputError

    def cleaned_require(self) -> dict[str, Any]:
        if not self.is_valid():
            messages = [str(m) for errors in self.errors.values() for m in errors]
            raise self.input_error(messages[0] if messages else None)
        return self.cleaned_data


class DocumentedValueField(forms.ChoiceField):
    """One of GetBill's documented values, or "" for all; refused in words that list them."""

    def __init__(self, *, name: values.EnumField) -> None:
        self.name = name
        choices = [
            (choice.value, choice.label)
            for choice in values.filter_choices(field=name, selected=None)
        ]
        self.offered = ", ".join(label for _, label in choices)
        super().__init__(choices=[("", "All"), *choices], required=False)

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip()

    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise ValidationError(
                f"There is no {self.name} “{value[:_QUOTED_MAX]}” in GetBill. "
                f"Choose one of: {self.offered}.",
                code="invalid_choice",
            )


class WholeNumberField(forms.CharField):
    """A whole number from 1 to `maximum` in ASCII digits; empty means 1."""

    def __init__(self, *, maximum: int, message: str) -> None:
        self.maximum = maximum
        self.message = message
        super().__init__(required=False)

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        if not text:
            return 1
        if not _WHOLE_NUMBER.fullmatch(text) or int(text) > self.maximum:
            raise ValidationError(self.message, code="invalid")
        return int(text)


class ListFiltersForm(InputForm):
    """The followups list's `?type=`, `?status=` and `?page=`."""

    input_error = ListInputError

    type = DocumentedValueField(name="type")
    status = DocumentedValueField(name="status")
    page = WholeNumberField(
        maximum=LIST_PAGE_MAX,
        message=f"The page must be a whole number from 1 to {LIST_PAGE_MAX}; to go further "
        "back, filter by type or status.",
    )


class QueuePartForm(InputForm):
    """The review queue's `?part=`."""

    input_error = ListInputError

    part = WholeNumberField(
        maximum=QUEUE_PART_MAX,
        message=f"The part of the queue must be a whole number from 1 to {QUEUE_PART_MAX}.",
    )


class DebtFiltersForm(forms.Form):
    """A debt page's `?type=`, `?status=` and `?current=`: the page offers the values its
    followups have, so anything else shows the whole list (`debts.debt_timeline_filter`)."""

    type = forms.CharField(required=False, max_length=200)
    status = forms.CharField(required=False, max_length=200)
    current = forms.CharField(required=False, max_length=200)

    def values(self) -> dict[str, str]:
        """The fields' values, "" for any that is not valid (too long, say)."""
        self.is_valid()
        return {name: str(self.cleaned_data.get(name) or "") for name in self.fields}


class LookupForm(forms.Form):
    """The lookup box: a followup ID, a GetBill link or text holding one (`?q=`)."""

    q = forms.CharField(required=False, strip=False)

    def query(self) -> str:
        self.is_valid()
        return str(self.cleaned_data.get("q") or "")
