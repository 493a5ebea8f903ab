from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.insights_page, name="page"),
    path("insights/export/<slug:chart>.csv", views.insights_export, name="export"),
]
