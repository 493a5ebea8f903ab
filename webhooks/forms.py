from datetime import UTC, datetime

from django import forms

from followups.forms import DocumentedValueField, InputError, InputForm

# The last second a date can hold (31 December 9999): a later one is not a moment.
_LAST_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


class NewCallsInputError(InputError):
    title = "Not a moment the queue was opened at"
    audit_words = "not a moment for the queue's new calls"


class NewCallsForm(InputForm):
    """The new calls' `?since=`: when the queue was opened, in Unix seconds."""

    input_error = NewCallsInputError

    since = forms.IntegerField(min_value=0, max_value=_LAST_SECOND)


class ListNewCallsForm(NewCallsForm):
    """The followups list's new calls: `?since=` and the list's own `?type=` and `?status=`
    (only GetBill's documented values, as on the list)."""

    type = DocumentedValueField(name="type")
    status = DocumentedValueField(name="status")
