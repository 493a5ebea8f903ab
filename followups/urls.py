from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("", views.search, name="search"),
    path("followups/", views.lookup, name="lookup"),
    path("followups/<str:followup_id>/", views.detail, name="detail"),
    path("debts/<str:debt_id>/followups/", views.debt_followups, name="debt_followups"),
]
