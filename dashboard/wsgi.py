import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

# What django.core.wsgi.get_wsgi_application does, with the dashboard's handler.
django.setup(set_prefix=False)

from dashboard.wsgi_handler import DashboardWSGIHandler  # noqa: E402 (needs the apps loaded)

application = DashboardWSGIHandler()
