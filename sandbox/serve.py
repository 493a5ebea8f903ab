"""Serve the project's WSGI app on a loopback port in a background thread.

Tests and benchmarks use it to reach the sandbox over real HTTP, as the dashboard does.
"""

import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication

from django.core.handlers.wsgi import WSGIHandler


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def sandbox_serve_in_thread(
    *, app: WSGIApplication | None = None
) -> tuple[str, Callable[[], None]]:
    """Start serving; return the origin ("http://127.0.0.1:<port>") and a function that stops.

    `app` is the project's WSGI app by default; a benchmark may pass one wrapped around it.
    """
    server = make_server(
        "127.0.0.1",
        0,
        app or WSGIHandler(),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_port}", stop
