"""How the client reaches GetBill: httpx on a deadline-aware network backend, bodies capped,
redirects refused, one long-lived client per process."""

import contextlib
import functools
import http.cookiejar
import ssl
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx
from django.core.signals import setting_changed

from followups.getbill.config import GetBillConfig
from followups.getbill.deadline import clamped, deadline_passed, remaining
from followups.getbill.errors import (
    MISCONFIGURED,
    GetBillError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from followups.getbill.readers import int_read

# A full page of 100 followups with long notes and two signed URLs each stays well below this.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class ResponseTooLargeError(Exception):
    pass


class UnexpectedEncodingError(Exception):
    pass


# What sending a request can raise besides the client's own errors.
TRANSPORT_ERRORS = (httpx.HTTPError, ResponseTooLargeError, UnexpectedEncodingError)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, clamped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, clamped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = clamped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = clamped(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = clamped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _CappedStream(httpx.SyncByteStream):
    """A response body that stops at `max_bytes` and at the lookup's deadline."""

    def __init__(self, stream: httpx.SyncByteStream, *, max_bytes: int) -> None:
        self._stream = stream
        self._max_bytes = max_bytes

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._stream:
            size += len(chunk)
            if size > self._max_bytes:
                raise ResponseTooLargeError
            if deadline_passed():
                raise httpx.ReadTimeout("deadline of the GetBill lookup passed")
            yield chunk

    def close(self) -> None:
        self._stream.close()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: once per process is enough.
    return httpx.create_ssl_context(trust_env=False)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on a deadline-aware network backend, with capped response bodies.

    Every response, including the ones httpx reads itself inside the auth flow, goes through
    here, so no body can grow past the cap or be decompressed into something bigger.
    """

    def __init__(self, *, limits: httpx.Limits, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self._max_bytes = max_bytes
        ssl_context = _ssl_context()
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx offers no public way to choose the network backend; its transport sends every
        # request through this pool. A test with a drip-feeding server guards this line.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        # The client asks for identity encoding: a compressed body could inflate past the cap.
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        declared = int_read(response.headers.get("content-length"), from_text=True)
        if encoding not in ("", "identity"):
            response.stream.close()
            raise UnexpectedEncodingError
        if declared is not None and declared > self._max_bytes:
            response.stream.close()
            raise ResponseTooLargeError
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, max_bytes=self._max_bytes),
            extensions=response.extensions,
        )


# --- The shared HTTP client ----------------------------------------------------------------

_client: httpx.Client | None = None
_client_lock = threading.Lock()
# A transport installed by `client_transport_override`, used instead of DeadlineTransport.
_transport_override: httpx.BaseTransport | None = None


def _client_of(transport: httpx.BaseTransport, *, accept: str) -> httpx.Client:
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        # No proxy, netrc or certificate settings picked up from the environment: what the
        # client does is decided by the GETBILL_* settings alone.
        trust_env=False,
        # GetBill needs no cookies; accepting none keeps one request's state out of the next.
        cookies=http.cookiejar.CookieJar(
            policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        ),
        headers={
            "Accept": accept,
            "Accept-Encoding": "identity",
            "User-Agent": "followups-dashboard",
        },
    )


def _client_build() -> httpx.Client:
    transport = _transport_override or DeadlineTransport(
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30)
    )
    return _client_of(transport, accept="application/json")


def media_client_build(*, max_bytes: int) -> httpx.Client:
    """A client for downloading one media file (a recording for a transcript): the same
    transport rules as the API's (deadline, capped body, no redirects), a bigger cap, and
    nothing of the API's sign-in: a signed link carries its own credentials."""
    transport = _transport_override or DeadlineTransport(
        limits=httpx.Limits(max_connections=2, max_keepalive_connections=0), max_bytes=max_bytes
    )
    return _client_of(transport, accept="audio/*")


def client_get() -> httpx.Client:
    """The process's long-lived client (connection reuse), created on first use."""
    global _client
    client = _client
    if client is None:
        with _client_lock:
            if _client is None:
                _client = _client_build()
            client = _client
    return client


def client_reset() -> None:
    """Close the shared client; the next request builds a new one from the settings."""
    global _client
    with _client_lock:
        old, _client = _client, None
    if old is not None:
        old.close()


@contextlib.contextmanager
def client_transport_override(transport: httpx.BaseTransport) -> Iterator[None]:
    """Send every GetBill request through `transport` (an `httpx.MockTransport` in tests)
    while the block runs: the client is rebuilt on entry and on exit.

    Everything above the transport (auth, retries, status mapping, parsing) runs as usual.
    """
    global _transport_override
    previous = _transport_override
    _transport_override = transport
    client_reset()
    try:
        yield
    finally:
        _transport_override = previous
        client_reset()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("GETBILL_"):
        client_reset()


setting_changed.connect(_on_setting_changed)


def timeout_for(config: GetBillConfig) -> httpx.Timeout:
    return httpx.Timeout(
        connect=config.connect_timeout,
        read=config.read_timeout,
        write=config.read_timeout,
        pool=min(config.connect_timeout, remaining()),
    )


def transport_error(exc: Exception) -> GetBillError:
    """The domain error for a failure below HTTP status level."""
    if isinstance(exc, ResponseTooLargeError | UnexpectedEncodingError):
        return UpstreamFailureError()
    if deadline_passed() or isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return UpstreamTimeoutError()
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return UpstreamUnavailableError()
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return UpstreamUnavailableError(MISCONFIGURED)
    return UpstreamFailureError()
