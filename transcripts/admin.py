"""Transcripts in the admin: read-only (the worker writes them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from transcripts.models import Transcript


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
    list_display = [
        "followup_id",
        "status",
        "attempts",
        "language",
        "duration_seconds",
        "created_at",
    ]
    list_filter = ["status", "language"]
    search_fields = ["followup_id", "debt_id"]
    # The text is as personal as the recording: the admin shows the job, not the words.
    exclude = ["segments", "peaks"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
