from django.urls import URLPattern, URLResolver, path

from sandbox import views

app_name = "sandbox"

# Mounted at /sandbox/ only in sandbox mode (dashboard/urls.py); the paths mirror GetBill's.
urlpatterns: list[URLPattern | URLResolver] = [
    path("token", views.token, name="token"),
    path("external-api/v1/followups", views.followups_index, name="followups"),
    path(
        "external-api/v1/followups/debt/<str:debt_id>",
        views.debt_followups,
        name="debt-followups",
    ),
    path("external-api/v1/followups/<str:followup_id>", views.followup_detail, name="followup"),
    path("external-api/v1/debts/<str:debt_id>", views.debt_detail, name="debt"),
    path("media/<path:object_key>", views.media, name="media"),
]
