from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("webhooks/getbill/", views.getbill_webhook, name="getbill"),
    # The same without its slash: a POST redirected to add it would lose its body.
    path("webhooks/getbill", views.getbill_webhook),
    path("queue/new-calls/", views.new_calls, name="new_calls"),
    # Not under followups/, whose next segment is a followup's ID.
    path("list/new-calls/", views.list_new_calls, name="list_new_calls"),
]
