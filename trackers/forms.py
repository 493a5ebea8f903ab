"""A tracker as a manager writes it, in the admin or in the JSON file: one form validates both."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from search.folding import words_fold
from trackers.models import PHRASE_MAX_LENGTH, Tracker

MAX_PHRASES = 50
MAX_WITHIN_SECONDS = 4 * 3600
FILE_KEYS = {"name", "kind", "phrases", "within_seconds", "language", "speaker"}
# Characters that make a phrase look like a pattern: phrases are matched as plain words, so a
# manager who wrote a regular expression is told rather than left with a tracker that never
# matches.
_PATTERN_SIGNS = re.compile(r"[\\^$|()\[\]{}+*?]")


def phrase_errors(phrase: Any) -> str:
    """Why `phrase` is not a phrase, or ""."""
    if not isinstance(phrase, str):
        return "each phrase is a string of words"
    if len(phrase) > PHRASE_MAX_LENGTH:
        return f"a phrase is at most {PHRASE_MAX_LENGTH} characters"
    if _PATTERN_SIGNS.search(phrase):
        return f"«{phrase[:40]}» looks like a pattern: phrases are plain words, matched as said"
    if not words_fold(phrase):
        return "a phrase needs at least one word (letters or digits)"
    return ""


class PhrasesField(forms.Field):
    """A list of phrases: a JSON list from the file, or one phrase a line from the admin."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        if not isinstance(value, list):
            raise ValidationError("phrases is a list of strings")
        return value

    def validate(self, value: list[str]) -> None:
        if not value:
            raise ValidationError("at least one phrase")
        if len(value) > MAX_PHRASES:
            raise ValidationError(f"at most {MAX_PHRASES} phrases")
        for phrase in value:
            error = phrase_errors(phrase)
            if error:
                raise ValidationError(error)


class TrackerForm(forms.ModelForm):
    phrases = PhrasesField(help_text="One phrase a line; any of them counts.")
    within_seconds = forms.IntegerField(required=False, min_value=1, max_value=MAX_WITHIN_SECONDS)
    language = forms.RegexField(
        regex=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
        required=False,
        max_length=16,
        error_messages={"invalid": 'a language code such as "fr" or "en"'},
    )

    class Meta:
        model = Tracker
        fields = ["name", "kind", "phrases", "within_seconds", "language", "speaker"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("within_seconds") and cleaned.get("kind") != Tracker.Kind.REQUIRED:
            self.add_error("within_seconds", "only a required tracker has a time limit")
        return cleaned


def entry_form(entry: dict[str, Any]) -> TrackerForm:
    """The form of one entry of a tracker file, bound to the tracker of that name if there is
    one: importing a name replaces that tracker."""
    name = entry.get("name")
    existing = Tracker.objects.filter(name=name).first() if isinstance(name, str) else None
    return TrackerForm(data=entry, instance=existing)


def entry_errors(entry: Any) -> list[str]:
    """What is wrong with one entry of a tracker file, as "field: message" lines."""
    if not isinstance(entry, dict):
        return ["each entry is an object with name, kind and phrases"]
    errors = [f"{key}: unknown field" for key in sorted(set(entry) - FILE_KEYS, key=str)]
    form = entry_form(entry)
    if not form.is_valid():
        for field, messages in form.errors.items():
            errors += [f"{field}: {message}" for message in messages]
    return errors
