from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("transcripts/", views.transcript_search, name="search"),
]
