import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.conf import LazySettings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: LazySettings) -> None:
    """Tests run without `collectstatic`, so the manifest storage has nothing to look up."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def upstream_origin() -> Iterator[str]:
    """The project's WSGI app on a loopback port, so the sandbox is reached over real HTTP.

    Only the sandbox's routes are requested through it; they touch no database, so tests using
    it keep the fast, transaction-wrapped `db` fixture.
    """
    server = make_server(
        "127.0.0.1",
        0,
        WSGIHandler(),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(upstream_origin: str, settings: LazySettings) -> Iterator[str]:
    """The embedded sandbox as the dashboard's upstream, on the loopback server, quota reset.

    Returns the origin ("http://127.0.0.1:<port>"); every setting it changes is restored after
    the test.
    """
    from sandbox.state import sandbox_state_reset

    settings.SANDBOX_ORIGIN = upstream_origin
    settings.GETBILL_API_URL = f"{upstream_origin}/sandbox/external-api/v1"
    settings.GETBILL_TOKEN_URL = f"{upstream_origin}/sandbox/token"
    settings.GETBILL_MEDIA_HOSTS = [upstream_origin.removeprefix("http://")]
    sandbox_state_reset()
    yield upstream_origin
    sandbox_state_reset()


# --- Followups for page tests ----------------------------------------------------------------
# The documented example followup (get-followup-page.txt), overridable field by field, for tests
# that feed the pages data the sandbox does not have (hostile text, odd types...).
FOLLOWUP_EXAMPLE: dict[str, object] = {
    "id": "abc123def456",
    "debt_id": "xyz789ghi012",
    "status": "deal_found",
    "type": "call",
    "call_date": datetime(2024, 1, 22, 10, 30, tzinfo=UTC),
    "scheduled_at": datetime(2024, 1, 22, 10, 0, tzinfo=UTC),
    "processed_at": datetime(2024, 1, 22, 10, 35, tzinfo=UTC),
    "summary": "Successfully contacted debtor, agreed to payment plan",
    "notes": "Customer was cooperative and agreed to pay €500 monthly starting February 1st.",
    "call_id": "call_789456",
    "audio_url": None,
    "pdf_url": None,
    "duration_ms": 180000,
    "disconnection_reason": "completed_successfully",
    "direction": "outbound",
    "phone_number_used": "+33800123456",
    "is_retry": False,
    "triggered_payment": True,
    "email_opened": False,
    "email_open_count": 0,
    "email_first_opened_at": None,
    "email_clicked": False,
    "email_click_count": 0,
    "media_urls_expire_at": None,
}


@pytest.fixture
def followup_make() -> Callable[..., Any]:
    """Build a `Followup` like the documented example, with keyword overrides."""
    from followups.getbill import Followup

    def make(**overrides: Any) -> Followup:
        return Followup(**{**FOLLOWUP_EXAMPLE, **overrides})

    return make
