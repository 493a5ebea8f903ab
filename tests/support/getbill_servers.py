"""Loopback servers standing in for GetBill in the client's tests: pytest-httpserver for
well-behaved and faulty HTTP upstreams, and a raw socket server for faults an HTTP framework
cannot produce (drip-fed headers, dropped connections)."""

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from followups.getbill import config_get, token_cache_for
from tests.support.examples import DEBT_ID, FOLLOWUP_ID, followup_envelope

CLIENT_ID = "dashboard-client"


CLIENT_SECRET = "s3cr3t-client-value-9f8e7d"


TOKEN_PATH = "/oauth/token"


API_PATH = "/api/v1"


DEADLINE = 1.0


# A lookup past the deadline by more than this is a failure to enforce it.
DEADLINE_SLACK = 0.6


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path.startswith(path)]


def token_requests(server: HTTPServer) -> list[Request]:
    return requests_to(server, TOKEN_PATH)


def api_requests(server: HTTPServer) -> list[Request]:
    return requests_to(server, API_PATH)


def serve_tokens(
    server: HTTPServer, *tokens: str, expires_in: Any = 3600, delay: float = 0
) -> None:
    """Token endpoint handing out `tokens` in turn (the last one repeated)."""
    issued = iter(tokens)
    last = [tokens[-1]]

    def handler(request: Request) -> Response:
        time.sleep(delay)
        last[0] = next(issued, last[0])
        body: dict[str, Any] = {"access_token": last[0], "token_type": "Bearer"}
        if expires_in is not None:
            body["expires_in"] = expires_in
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(TOKEN_PATH, method="POST").respond_with_handler(handler)


def serve_followup(
    server: HTTPServer, payload: Any = None, *, followup_id: str = FOLLOWUP_ID, **kwargs: Any
) -> None:
    server.expect_request(f"{API_PATH}/followups/{followup_id}", method="GET").respond_with_json(
        followup_envelope() if payload is None else payload, **kwargs
    )


def bearer(request: Request) -> str:
    return request.headers.get("Authorization", "")


class RawServer:
    """A loopback TCP server; each connection (numbered from 1) runs `script` after the
    request head has been read. For faults an HTTP framework will not produce."""

    def __init__(self, script: Callable[[socket.socket, int], None]) -> None:
        self._script = script
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.connections), daemon=True).start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        with conn:
            conn.settimeout(3)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                self._script(conn, index)
            except OSError:
                pass

    def close(self) -> None:
        self._stopped.set()
        self._listener.close()
        self._thread.join(timeout=1)


def json_answer(payload: Any, status: str = "200 OK") -> bytes:
    body = json.dumps(payload).encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def drip(conn: socket.socket, data: bytes, *, every: float = 0.05, limit: float = 5.0) -> None:
    """Send `data` a byte at a time, each well within the read timeout; stop after `limit`."""
    stop = time.monotonic() + limit
    for byte in data:
        if time.monotonic() > stop:
            return
        conn.sendall(bytes([byte]))
        time.sleep(every)


def timed(call: Callable[[], Any]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


def api_answering(accepted: str, payload: Any = None) -> Callable[[Request], Response]:
    """An API handler that accepts only the bearer token `accepted`, as GetBill would."""

    def handler(request: Request) -> Response:
        if bearer(request) != f"Bearer {accepted}":
            return Response(
                json.dumps({"error": True, "message": "Unauthorized", "code": 401}), status=401
            )
        return Response(json.dumps(payload or followup_envelope()), content_type="application/json")

    return handler


def cached_token_entry() -> dict[str, Any]:
    entry = cache.get(token_cache_for(config_get()).token_key)
    assert isinstance(entry, dict)
    return entry


def run_concurrently(count: int, call: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def backoff_entry() -> dict[str, Any]:
    entry = cache.get(token_cache_for(config_get()).backoff_key)
    assert isinstance(entry, dict)
    return entry


def page_payload(items: list[Any], **pagination: Any) -> dict[str, Any]:
    return {
        "error": False,
        "data": items,
        "pagination": {"total": len(items), "page": 1, "limit": 100, "pages": 1, **pagination},
    }


def serve_debt_page(server: HTTPServer, payload: Any, **kwargs: Any) -> None:
    server.expect_request(f"{API_PATH}/followups/debt/{DEBT_ID}").respond_with_json(
        payload, **kwargs
    )
