"""Health checks for the load balancer: `/healthz` (the process answers) and `/readyz` (it can
serve: database reachable and migrated, cache round trip, GetBill settings valid).

Open without sign-in, and they reveal nothing but which check failed: no versions, hosts or
error messages (those go to the log). Not audited, not counted against any limit, and they
neither read nor write a session.
"""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from followups.getbill import upstream_url_clean

logger = logging.getLogger(__name__)

# Once a process has seen every migration applied, that stays true until the next deployment
# (which restarts it), so the migration graph is not loaded again on every check.
_migrated_seen = False


def _database_ready() -> bool:
    global _migrated_seen
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if not _migrated_seen:
        executor = MigrationExecutor(connection)
        _migrated_seen = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated_seen


def _cache_ready() -> bool:
    key = f"dashboard:readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    answered = cache.get(key) == "ok"
    cache.delete(key)
    return answered


def _getbill_settings_ready() -> bool:
    for name in ("GETBILL_API_URL", "GETBILL_TOKEN_URL"):
        upstream_url_clean(name=name, value=getattr(settings, name))
    return bool(settings.GETBILL_CLIENT_ID and settings.GETBILL_CLIENT_SECRET)


_CHECKS: dict[str, Callable[[], bool]] = {
    "database": _database_ready,
    "cache": _cache_ready,
    "getbill settings": _getbill_settings_ready,
}


def _check_passes(name: str, check: Callable[[], bool]) -> bool:
    try:
        if check():
            return True
        logger.warning("Readiness check failed: %s", name)
    except Exception:
        # Whatever a driver raises for a server that is down, the answer is "not ready".
        logger.warning("Readiness check failed: %s", name, exc_info=True)
    return False


def _plain(text: str, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=status)
    patch_cache_control(response, no_store=True)
    return response


@login_not_required
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _plain("ok")


@login_not_required
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    failed = [name for name, check in _CHECKS.items() if not _check_passes(name, check)]
    if failed:
        return _plain("not ready: " + ", ".join(failed), status=503)
    return _plain("ready")
