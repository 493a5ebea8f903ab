"""Trackers in the admin: a change (saved or deleted) has every transcript checked again by a
job."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from trackers.forms import TrackerForm
from trackers.models import Tracker
from trackers.services import trackers_changed


@admin.register(Tracker)
class TrackerAdmin(admin.ModelAdmin):
    form = TrackerForm
    list_display = ["name", "kind", "within_seconds", "language", "speaker", "updated_at"]
    list_filter = ["kind", "language", "speaker"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Tracker, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        trackers_changed()

    def delete_model(self, request: HttpRequest, obj: Tracker) -> None:
        super().delete_model(request, obj)
        trackers_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tracker]) -> None:
        super().delete_queryset(request, queryset)
        trackers_changed()
