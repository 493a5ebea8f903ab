from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("", views.search, name="search"),
    path("followups/", views.lookup, name="lookup"),
    path("followups/<str:followup_id>/", views.detail, name="detail"),
    path("followups/<str:followup_id>/panels/", views.followup_panels, name="panels"),
    path(
        "followups/<str:followup_id>/refresh/",
        views.followup_refresh,
        name="refresh",
    ),
    path(
        "followups/<str:followup_id>/recording/",
        views.followup_recording,
        name="recording",
    ),
    path(
        "followups/<str:followup_id>/recording/audio",
        views.followup_recording_audio,
        name="recording_audio",
    ),
    path("followups/<str:followup_id>/pdf/", views.followup_document, name="document"),
    path(
        "followups/<str:followup_id>/recording/played/",
        views.recording_played,
        name="recording_played",
    ),
    path("queue/", views.queue, name="queue"),
    path("queue/next/", views.queue_next, name="queue_next"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    path("debts/<str:debt_id>/followups/", views.debt_followups, name="debt_followups"),
    path("debts/<str:debt_id>/followups/timeline/", views.debt_timeline, name="debt_timeline"),
    path("debts/<str:debt_id>/card/", views.debt_card_show, name="debt_card"),
]
