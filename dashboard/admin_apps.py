"""Django's admin app on the dashboard's site (dashboard.admin): in INSTALLED_APPS in its place.
Apart from dashboard/apps.py, which may declare only the dashboard's own app."""

from django.contrib.admin.apps import AdminConfig


class DashboardAdminConfig(AdminConfig):
    default_site = "dashboard.admin.DashboardAdminSite"
