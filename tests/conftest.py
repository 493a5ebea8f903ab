import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
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
