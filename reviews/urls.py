from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("followups/<str:followup_id>/comments/", views.comments, name="comments"),
    path(
        "followups/<str:followup_id>/comments/<int:comment_id>/edit/",
        views.comment_edit,
        name="comment_edit",
    ),
    path(
        "followups/<str:followup_id>/comments/<int:comment_id>/delete/",
        views.comment_delete,
        name="comment_delete",
    ),
    path("followups/<str:followup_id>/review/", views.review, name="review"),
    path("reviews/", views.review_list, name="list"),
    path("reviews/export.csv", views.review_export, name="export"),
    path("reviews/<int:review_id>/", views.review_detail, name="detail"),
    path("reviews/<int:review_id>/reopen/", views.review_reopen, name="reopen"),
]
