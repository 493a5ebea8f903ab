"""The table of calls and their transcripts in the admin: read-only (GetBill's answers and the
worker write them), with how many wait for a worker and since when, for whoever runs the
workers."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from transcripts import services
from transcripts.engine import transcripts_off_reason
from transcripts.models import Transcript


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
    list_display = [
        "followup_id",
        "status",
        "call_type",
        "called_at",
        "has_recording",
        "attempts",
        "language",
        "duration_seconds",
        "created_at",
    ]
    list_filter = ["status", "has_recording", "call_type", "language"]
    search_fields = ["followup_id", "debt_id"]
    # The text is as personal as the recording: the admin shows the job, not the words.
    exclude = ["segments", "peaks"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse | TemplateResponse:
        waiting, oldest = services.transcripts_waiting()
        context = {
            "waiting": waiting,
            "oldest_waiting": oldest,
            "running": Transcript.objects.filter(status=Transcript.Status.RUNNING).count(),
            "transcripts_off": transcripts_off_reason() or "",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
