from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("webhooks/getbill/", views.getbill_webhook, name="getbill"),
    path("queue/new-calls/", views.new_calls, name="new_calls"),
]
