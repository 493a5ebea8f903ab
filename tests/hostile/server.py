"""A loopback GetBill that answers exactly the bytes it is given.

pytest-httpserver (werkzeug) refuses header values with line breaks or characters outside
Latin-1 and sets lengths itself, which is what a hostile upstream would not do; this server
writes the status line, every header and the body as scripted, so the client is tried with
answers no HTTP framework would produce. One thread per connection, one answer per
connection, then the connection is closed. (tests/support's RawServer plays one fault per
connection without reading the request; this one answers each endpoint from its script.)
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

TOKEN_PATH = "/oauth/token"
API_PATH = "/api/v1"
MEDIA_PATH = "/media/"

# Markers an answer may carry, replaced when served by what the dashboard sent or knows: a
# hostile GetBill that echoes the request back (its Authorization header, the form with the
# client secret) or hands out a signed link on this server.
ECHO_AUTHORIZATION = "@@AUTHORIZATION@@"
ECHO_TOKEN = "@@TOKEN@@"
ECHO_REQUEST_BODY = "@@REQUEST_BODY@@"
ECHO_ORIGIN = "@@ORIGIN@@"
# What a list request asked for, echoed so that a page can be what was asked (or lie about it
# on purpose): its `page` and `limit`, and its `type` and `status` filters ("call" and
# "deal_found" when the request has none).
ECHO_PAGE = "@@PAGE@@"
ECHO_LIMIT = "@@LIMIT@@"
ECHO_TYPE = "@@TYPE@@"
ECHO_STATUS = "@@STATUS@@"
_ECHO_QUERY_DEFAULTS = {
    ECHO_PAGE: ("page", "1"),
    ECHO_LIMIT: ("limit", "20"),
    ECHO_TYPE: ("type", "call"),
    ECHO_STATUS: ("status", "deal_found"),
}

_REQUEST_HEAD_MAX = 64 * 1024
_REQUEST_BODY_MAX = 64 * 1024


@dataclass(frozen=True)
class Answer:
    """One scripted HTTP answer. `headers` are sent as given, in order, duplicates included;
    Content-Length is added only when `headers` has no length or transfer encoding."""

    status: int = 200
    reason: bytes = b"OK"
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    delay: float = 0.0

    def __repr__(self) -> str:  # short enough to read in a falsifying example
        body = self.body if len(self.body) <= 300 else self.body[:300] + b"..."
        return (
            f"Answer(status={self.status}, reason={self.reason!r}, headers={self.headers!r}, "
            f"body={body!r}, delay={self.delay})"
        )


@dataclass
class Received:
    kind: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Script:
    """What each endpoint answers during one example: a list per endpoint, served in turn, the
    last one repeated. Debt pages are chosen by their `page` parameter (from 1); `debt_record`
    answers GET /debts/{id}, `followups_list` GET /followups (every page and filter in turn)."""

    token: list[Answer] = field(default_factory=list)
    followup: list[Answer] = field(default_factory=list)
    debt_pages: list[Answer] = field(default_factory=list)
    debt_record: list[Answer] = field(default_factory=list)
    followups_list: list[Answer] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _served: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_for(self, received: Received) -> Answer:
        with self._lock:
            self.received.append(received)
            if received.kind == "debt":
                pages = self.debt_pages or [Answer(status=404)]
                try:
                    number = int(received.query.get("page", ["1"])[0])
                except ValueError:
                    number = 1
                return pages[min(max(number, 1), len(pages)) - 1]
            answers = getattr(self, received.kind, None) or [Answer(status=404)]
            index = self._served.get(received.kind, 0)
            self._served[received.kind] = index + 1
            return answers[min(index, len(answers) - 1)]

    def upstream_count(self) -> int:
        with self._lock:
            return sum(1 for r in self.received if r.kind != "media")

    def resources_asked(self, *, since: int) -> int:
        """How many API resources the requests after the first `since` asked for: a debt's
        pages, and a retry of the same path, are one resource."""
        with self._lock:
            asked = self.received[since:]
            return len({r.path for r in asked if r.kind not in ("media", "token")})

    def received_count(self) -> int:
        with self._lock:
            return len(self.received)


def _json_escaped(value: str) -> bytes:
    return json.dumps(value)[1:-1].encode()


class _Handler(socketserver.BaseRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(5)
        try:
            received = self._read(sock)
        except (OSError, ValueError):
            return
        if received is None:
            return
        answer = self.server.script.answer_for(received)
        if answer.delay:
            time.sleep(answer.delay)
        body = self._echo(answer.body, received)
        lines = [b"HTTP/1.1 %d %s" % (answer.status, answer.reason)]
        names = {name.strip().lower() for name, _ in answer.headers}
        lines += [name + b": " + value for name, value in answer.headers]
        if not names & {b"content-length", b"transfer-encoding"}:
            lines.append(b"Content-Length: %d" % len(body))
        lines.append(b"Connection: close")
        try:
            sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        except OSError:
            return

    def _read(self, sock: socket.socket) -> Received | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
            if len(data) > _REQUEST_HEAD_MAX:
                return None
        head, _, rest = data.partition(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = min(int(headers.get("content-length", "0") or 0), _REQUEST_BODY_MAX)
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        url = urlsplit(target)
        if url.path == TOKEN_PATH:
            kind = "token"
        elif url.path == f"{API_PATH}/followups":
            kind = "followups_list"
        elif url.path.startswith(f"{API_PATH}/debts/"):
            kind = "debt_record"
        elif url.path.startswith(f"{API_PATH}/followups/debt/"):
            kind = "debt"
        elif url.path.startswith(f"{API_PATH}/followups/"):
            kind = "followup"
        elif url.path.startswith(MEDIA_PATH):
            kind = "media"
        else:
            kind = "other"
        return Received(kind, method, url.path, parse_qs(url.query), headers, rest[:length])

    def _echo(self, body: bytes, received: Received) -> bytes:
        authorization = received.headers.get("authorization", "")
        for marker, value in (
            (ECHO_AUTHORIZATION, authorization),
            (ECHO_TOKEN, authorization.removeprefix("Bearer ")),
            (ECHO_REQUEST_BODY, received.body.decode("latin-1")),
            (ECHO_ORIGIN, self.server.origin),
        ):
            body = body.replace(marker.encode(), _json_escaped(value))
        for marker, (name, default) in _ECHO_QUERY_DEFAULTS.items():
            value = received.query.get(name, [default])[0]
            body = body.replace(marker.encode(), _json_escaped(value))
        return body


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = Script()
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"


def hostile_serve_in_thread() -> Iterator[HostileServer]:
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
