from django.urls import path

from calibration import views

app_name = "calibration"

urlpatterns = [
    path("calibration/", views.session_list, name="list"),
    path("calibration/new/", views.session_new, name="new"),
    path("calibration/<int:session_id>/", views.session_detail, name="detail"),
    path("calibration/<int:session_id>/close/", views.session_close, name="close"),
    path(
        "calibration/<int:session_id>/calls/<str:followup_id>/review/",
        views.calibration_review,
        name="review",
    ),
    path(
        "calibration/<int:session_id>/calls/<str:followup_id>/reference/",
        views.reference,
        name="reference",
    ),
    path("calibration/<int:session_id>/results/", views.results, name="results"),
    path("calibration/<int:session_id>/results.csv", views.results_export, name="export"),
]
