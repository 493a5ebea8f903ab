"""What every benchmark starts with: Django on the embedded sandbox, with an in-memory database
and cache.

Import it first and call `django_ready()` before importing anything of the project's.
"""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_ready(**environ: str) -> None:
    """Set Django up for a benchmark: production settings on the sandbox, `environ` on top,
    static files served uncollected, the database migrated."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-0123456789-0123456789",  # noqa: S106
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
        GETBILL_SANDBOX="true",
        GETBILL_CLIENT_ID="",
        DATABASE_URL="sqlite://:memory:",
        # As fresh as the database: nothing (no token) left by an earlier run.
        CACHE_URL="locmemcache://",
        DJANGO_LOG_LEVEL="WARNING",
    )
    os.environ.update(environ)
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
