from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The site's own plumbing (middleware, health checks, logging, the `request_tags`
    template library), installed as an app so Django finds its template tags."""

    name = "dashboard"
    verbose_name = "Dashboard site"
