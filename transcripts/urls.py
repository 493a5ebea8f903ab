from django.urls import path

from transcripts import views

app_name = "transcripts"

urlpatterns = [
    path("transcripts/queue/", views.transcripts_queue, name="queue"),
    path("followups/<str:followup_id>/transcript/", views.transcript_page, name="transcript"),
    path("followups/<str:followup_id>/transcript.vtt", views.transcript_vtt, name="webvtt"),
    path(
        "followups/<str:followup_id>/transcript/retry/",
        views.transcript_retry,
        name="retry",
    ),
]
