"""The GetBill client: the only code that builds upstream URLs or speaks HTTP to GetBill.

The whole company shares one OAuth client and its quota of 1,000 reads an hour, and every
dashboard worker waits on these calls, so the client is strict about what it sends and accepts:

- IDs are validated before any request; upstream paths are built only from validated IDs.
- One OAuth access token is shared through Django's cache by every worker process, renewed
  ahead of expiry by one worker at a time; a failing token endpoint is backed off, not hammered.
- Each lookup has an overall deadline enforced on every socket operation, so neither a slow
  nor a drip-feeding upstream holds a worker longer; bodies are capped; redirects are refused;
  one retry, only where it is safe.
- Answers are checked before being believed: anything but a well-formed success for the ID that
  was asked for is an upstream failure.
- The client secret, access tokens and signed media URLs never reach a log line, an exception
  message or a repr.
"""

import contextlib
import functools
import hashlib
import http.cookiejar
import json
import logging
import math
import re
import ssl
import threading
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.views.decorators.debug import sensitive_variables

from followups.upstream_config import scopes_parse, upstream_url_clean

logger = logging.getLogger(__name__)

MAX_ID_LENGTH = 64
# A full page of 100 followups with long notes and two signed URLs each stays well below this.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_MESSAGE_LENGTH = 200

# Token lifetime when `expires_in` is missing or unusable: short, so a wrong guess costs little.
TOKEN_LIFETIME_DEFAULT = 300
TOKEN_LIFETIME_MAX = 24 * 3600
# Renew this long before expiry (at half-life for tokens shorter than twice this), so a token
# never expires between being read from the cache and reaching GetBill.
TOKEN_RENEW_MARGIN = 60
# After a failed token request nobody asks again for this long, doubling up to the maximum.
TOKEN_BACKOFF_FIRST = 2.0
TOKEN_BACKOFF_MAX = 60.0
_TOKEN_WAIT_POLL = 0.05
# Below this, a retry could not finish anyway.
_RETRY_MIN_REMAINING = 0.2
_RETRYABLE_STATUSES = frozenset({502, 503, 504})

# Pasted IDs often carry spaces, line breaks or non-breaking spaces around them.
_ID_STRIPPED = " \t\r\n\f\v\u00a0\u2007\u202f\u200b\ufeff"
_ID_RE = re.compile(r"[A-Za-z0-9_-]+")
_OAUTH_ERROR_RE = re.compile(r"[a-z_]{1,64}")
_TOKEN_RE = re.compile(r"[\x21-\x7e]{1,8192}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


# --- Errors --------------------------------------------------------------------------------


class GetBillError(Exception):
    """Base of every failure of a GetBill lookup; views turn it into an error page."""

    status_code: int = 502
    default_message: str = "GetBill could not answer."

    def __init__(self, user_message: str | None = None) -> None:
        self.user_message = user_message or self.default_message
        super().__init__(self.user_message)


class InvalidIdError(GetBillError):
    status_code = 400
    default_message = "That is not a GetBill ID: IDs are 1 to 64 letters, digits, '-' or '_'."


class NotFoundError(GetBillError):
    status_code = 404
    default_message = "GetBill has nothing under this ID."


class AccessDeniedError(GetBillError):
    status_code = 403
    default_message = "GetBill denied access."


class RateLimitedError(GetBillError):
    status_code = 429
    default_message = "The company's GetBill request quota is used up for now."

    def __init__(
        self, user_message: str | None = None, *, retry_after_seconds: int | None = None
    ) -> None:
        self.retry_after_seconds = retry_after_seconds
        if user_message is None and retry_after_seconds is not None:
            wait = _wait_describe(retry_after_seconds)
            user_message = f"{self.default_message} Try again {wait}."
        super().__init__(user_message)


class UpstreamFailureError(GetBillError):
    status_code = 502
    default_message = "GetBill sent an answer the dashboard could not use."


class UpstreamTimeoutError(GetBillError):
    status_code = 504
    default_message = "GetBill took too long to answer."


class UpstreamUnavailableError(GetBillError):
    status_code = 503
    default_message = "GetBill cannot be reached right now."


_SIGN_IN_FAILING = "Signing in to GetBill is failing; try again in a minute."
_MISCONFIGURED = "The dashboard's connection to GetBill is misconfigured."


def _wait_describe(seconds: int) -> str:
    if seconds < 1:
        return "now"
    if seconds < 120:
        return f"in {seconds} seconds"
    return f"in {math.ceil(seconds / 60)} minutes"


# --- Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Followup:
    """A followup as GetBill describes it; a field GetBill sent with a wrong type is None and
    named in `invalid_fields`, so pages can say "unknown" instead of failing."""

    id: str
    debt_id: str | None = None
    status: str | None = None
    type: str | None = None
    call_date: datetime | None = None
    scheduled_at: datetime | None = None
    processed_at: datetime | None = None
    summary: str | None = None
    notes: str | None = None
    call_id: str | None = None
    # Signed URLs are credentials for as long as they last: keep them out of reprs and logs.
    audio_url: str | None = field(default=None, repr=False)
    pdf_url: str | None = field(default=None, repr=False)
    duration_ms: int | None = None
    disconnection_reason: str | None = None
    direction: str | None = None
    phone_number_used: str | None = None
    is_retry: bool | None = None
    triggered_payment: bool | None = None
    email_opened: bool | None = None
    email_open_count: int | None = None
    email_first_opened_at: datetime | None = None
    email_clicked: bool | None = None
    email_click_count: int | None = None
    media_urls_expire_at: datetime | None = None
    invalid_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pagination:
    total: int
    page: int
    limit: int
    pages: int


@dataclass(frozen=True)
class FollowupPage:
    followups: tuple[Followup, ...]
    pagination: Pagination


@dataclass(frozen=True)
class RateLimitStatus:
    limit: int | None
    remaining: int | None
    reset_at: datetime | None
    window_seconds: int | None


# --- IDs -----------------------------------------------------------------------------------


def getbill_id_clean(*, raw: str) -> str:
    """The ID with surrounding whitespace removed, or InvalidIdError.

    GetBill's IDs are opaque tokens of letters, digits, '-' and '_'. Anything else (slashes,
    dots, '?', '#', '%', control or non-ASCII characters, very long input) could change the
    upstream URL or is simply not an ID, so it never reaches GetBill.
    """
    if not isinstance(raw, str):
        raise InvalidIdError()
    candidate = raw.strip(_ID_STRIPPED)
    if len(candidate) > MAX_ID_LENGTH or not _ID_RE.fullmatch(candidate):
        raise InvalidIdError()
    return candidate


def _id_is_valid(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and bool(_ID_RE.fullmatch(value))


# --- Configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Config:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str
    connect_timeout: float
    read_timeout: float
    deadline: float

    @property
    def cache_prefix(self) -> str:
        # Tokens and quotas belong to one client of one GetBill: a settings change never sends a
        # token to another upstream. The secret is not part of the key.
        identity = "\n".join((self.api_url, self.token_url, self.client_id, self.scopes))
        return "getbill:" + hashlib.sha256(identity.encode()).hexdigest()[:16]


def _config_get() -> _Config:
    """The settings, checked again: they can be changed at run time (sandbox, tests)."""
    try:
        config = _Config(
            api_url=upstream_url_clean(name="GETBILL_API_URL", value=settings.GETBILL_API_URL),
            token_url=upstream_url_clean(
                name="GETBILL_TOKEN_URL", value=settings.GETBILL_TOKEN_URL
            ),
            client_id=settings.GETBILL_CLIENT_ID,
            client_secret=settings.GETBILL_CLIENT_SECRET,
            scopes=scopes_parse(value=settings.GETBILL_SCOPES),
            connect_timeout=float(settings.GETBILL_CONNECT_TIMEOUT),
            read_timeout=float(settings.GETBILL_READ_TIMEOUT),
            deadline=float(settings.GETBILL_DEADLINE),
        )
    except ImproperlyConfigured as exc:
        logger.error("GetBill settings are invalid: %s", exc)
        raise UpstreamUnavailableError(_MISCONFIGURED) from None
    if not config.client_id or not config.client_secret:
        logger.error("GetBill settings are invalid: client id or secret is empty")
        raise UpstreamUnavailableError(_MISCONFIGURED)
    return config


# --- Deadline ------------------------------------------------------------------------------
# httpx's timeouts apply to each socket operation, so an upstream sending a byte every few
# seconds never trips them. The lookup's deadline is therefore applied below httpx, in the
# network backend: every connect, TLS handshake, read and write gets at most the time left.
# Name resolution is the one step outside it; the system resolver bounds it on its own.

_deadline: ContextVar[float | None] = ContextVar("getbill_deadline", default=None)


def _remaining() -> float:
    """Seconds left before the current lookup's deadline; UpstreamTimeoutError once passed."""
    deadline = _deadline.get()
    if deadline is None:
        return math.inf
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise UpstreamTimeoutError()
    return remaining


def _deadline_passed() -> bool:
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline


def _clamped(timeout: float | None, exc_class: type[Exception]) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc_class("deadline of the GetBill lookup passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
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
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _ResponseTooLargeError(Exception):
    pass


class _UnexpectedEncodingError(Exception):
    pass


class _CappedStream(httpx.SyncByteStream):
    """A response body that stops at MAX_RESPONSE_BYTES and at the lookup's deadline."""

    def __init__(self, stream: httpx.SyncByteStream) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._stream:
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise _ResponseTooLargeError
            if _deadline_passed():
                raise httpx.ReadTimeout("deadline of the GetBill lookup passed")
            yield chunk

    def close(self) -> None:
        self._stream.close()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: once per process is enough.
    return httpx.create_ssl_context(trust_env=False)


class _Transport(httpx.HTTPTransport):
    """httpx's transport on a deadline-aware network backend, with capped response bodies.

    Every response, including the ones httpx reads itself inside the auth flow, goes through
    here, so no body can grow past the cap or be decompressed into something bigger.
    """

    def __init__(self, *, limits: httpx.Limits) -> None:
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
        declared = response.headers.get("content-length", "")
        if encoding not in ("", "identity"):
            response.stream.close()
            raise _UnexpectedEncodingError
        if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            response.stream.close()
            raise _ResponseTooLargeError
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream),
            extensions=response.extensions,
        )


# --- The shared HTTP client ----------------------------------------------------------------

_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _client_build() -> httpx.Client:
    return httpx.Client(
        transport=_Transport(
            limits=httpx.Limits(
                max_connections=20, max_keepalive_connections=10, keepalive_expiry=30
            )
        ),
        follow_redirects=False,
        # No proxy, netrc or certificate settings picked up from the environment: what the
        # client does is decided by the GETBILL_* settings alone.
        trust_env=False,
        # GetBill needs no cookies; accepting none keeps one request's state out of the next.
        cookies=http.cookiejar.CookieJar(
            policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        ),
        headers={
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            "User-Agent": "followups-dashboard",
        },
    )


def _client_get() -> httpx.Client:
    """The process's long-lived client (connection reuse), created on first use."""
    global _client
    client = _client
    if client is None:
        with _client_lock:
            if _client is None:
                _client = _client_build()
            client = _client
    return client


def _client_reset() -> None:
    global _client
    with _client_lock:
        old, _client = _client, None
    if old is not None:
        old.close()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("GETBILL_"):
        _client_reset()


setting_changed.connect(_on_setting_changed)


def _timeout(config: _Config) -> httpx.Timeout:
    return httpx.Timeout(
        connect=config.connect_timeout,
        read=config.read_timeout,
        write=config.read_timeout,
        pool=min(config.connect_timeout, _remaining()),
    )


def _transport_error(exc: Exception) -> GetBillError:
    """The domain error for a failure below HTTP status level."""
    if isinstance(exc, _ResponseTooLargeError | _UnexpectedEncodingError):
        return UpstreamFailureError()
    if _deadline_passed() or isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return UpstreamTimeoutError()
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return UpstreamUnavailableError()
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return UpstreamUnavailableError(_MISCONFIGURED)
    return UpstreamFailureError()


# --- OAuth access token --------------------------------------------------------------------
# The token lives in Django's cache, so all worker processes share it (with a shared cache
# such as Redis). Renewal is single-flight: threads of a process queue on a lock, processes on
# an atomic `cache.add`; whoever does not renew keeps using a token that is still valid, or
# waits for the new one to appear in the cache.

_token_thread_lock = threading.Lock()


def _token_key(config: _Config) -> str:
    return f"{config.cache_prefix}:token"


def _backoff_key(config: _Config) -> str:
    return f"{config.cache_prefix}:token-backoff"


def _token_lifetime(expires_in: object) -> int:
    if isinstance(expires_in, str) and expires_in.strip().isdigit():
        expires_in = int(expires_in)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return TOKEN_LIFETIME_DEFAULT
    if not math.isfinite(expires_in) or expires_in <= 0:
        return TOKEN_LIFETIME_DEFAULT
    return max(1, min(int(expires_in), TOKEN_LIFETIME_MAX))


@sensitive_variables()
def _token_entry_usable(*, config: _Config, rejected: str | None) -> dict[str, Any] | None:
    """The cached token entry if it has not expired and is not the one GetBill just refused."""
    entry = cache.get(_token_key(config))
    if not isinstance(entry, dict) or entry.get("access_token") in (None, rejected):
        return None
    if time.time() >= entry.get("expires_at", 0):
        return None
    return entry


@sensitive_variables()
def _token_forget(*, config: _Config, authorization: str) -> None:
    """Drop a token GetBill refused, unless the cache already holds a newer one."""
    entry = cache.get(_token_key(config))
    if isinstance(entry, dict) and f"Bearer {entry.get('access_token')}" == authorization:
        # Not atomic: at worst a token renewed in between is dropped and renewed once more.
        cache.delete(_token_key(config))


@sensitive_variables()
def _token_get(*, config: _Config, rejected: str | None = None) -> str:
    """A valid access token: the shared one, or a new one when it is due for renewal."""
    entry = _token_entry_usable(config=config, rejected=rejected)
    if entry is not None and time.time() < entry["renew_at"]:
        return str(entry["access_token"])
    if entry is not None:
        # Due for renewal but still valid: renew only if nobody else in this process is.
        if not _token_thread_lock.acquire(blocking=False):
            return str(entry["access_token"])
    elif not _token_thread_lock.acquire(timeout=min(_remaining(), threading.TIMEOUT_MAX)):
        raise UpstreamTimeoutError()
    try:
        return _token_renew(config=config, rejected=rejected)
    finally:
        _token_thread_lock.release()


@sensitive_variables()
def _token_renew(*, config: _Config, rejected: str | None) -> str:
    lock_key = f"{config.cache_prefix}:token-lock"
    while True:
        # Re-read: another thread or process may have renewed it while this one waited.
        entry = _token_entry_usable(config=config, rejected=rejected)
        if entry is not None and time.time() < entry["renew_at"]:
            return str(entry["access_token"])
        if _backoff_active(config):
            if entry is not None:
                return str(entry["access_token"])
            raise UpstreamUnavailableError(_SIGN_IN_FAILING)
        # Held at most as long as a lookup may last, so a crashed holder blocks nobody long.
        if cache.add(lock_key, "renewing", timeout=math.ceil(config.deadline) + 1):
            try:
                return _token_request(config=config)
            finally:
                cache.delete(lock_key)
        if entry is not None:
            return str(entry["access_token"])
        time.sleep(min(_TOKEN_WAIT_POLL, _remaining()))


def _backoff_active(config: _Config) -> bool:
    backoff = cache.get(_backoff_key(config))
    return isinstance(backoff, dict) and time.time() < backoff.get("until", 0)


def _backoff_record(config: _Config) -> None:
    backoff = cache.get(_backoff_key(config))
    failures = backoff.get("failures", 0) + 1 if isinstance(backoff, dict) else 1
    delay = min(TOKEN_BACKOFF_FIRST * 2 ** (failures - 1), TOKEN_BACKOFF_MAX)
    # Kept beyond the delay itself, so that the next failure waits longer.
    cache.set(
        _backoff_key(config),
        {"failures": failures, "until": time.time() + delay},
        timeout=math.ceil(TOKEN_BACKOFF_MAX * 2),
    )
    logger.warning(
        "GetBill sign-in failed %d time(s) in a row; no new attempt for %.0f s", failures, delay
    )


@sensitive_variables()
def _token_request(*, config: _Config) -> str:
    """Ask the token endpoint for a new token and share it; back off if that fails."""
    _remaining()  # out of time is this lookup's failure, not the token endpoint's
    try:
        payload = _token_payload(config=config)
    except GetBillError:
        _backoff_record(config)
        raise
    lifetime = _token_lifetime(payload.get("expires_in"))
    now = time.time()
    access_token = str(payload["access_token"])
    cache.set(
        _token_key(config),
        {
            "access_token": access_token,
            "renew_at": now + lifetime - min(TOKEN_RENEW_MARGIN, lifetime / 2),
            "expires_at": now + lifetime,
        },
        timeout=lifetime,
    )
    cache.delete(_backoff_key(config))
    logger.info("GetBill sign-in succeeded; access token valid for %d s", lifetime)
    return access_token


@sensitive_variables()
def _token_payload(*, config: _Config) -> dict[str, Any]:
    client = _client_get()
    request = client.build_request(
        "POST",
        config.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "scope": config.scopes,
        },
        timeout=_timeout(config),
    )
    try:
        response = client.send(request)
    except GetBillError:
        raise
    except (httpx.HTTPError, _ResponseTooLargeError, _UnexpectedEncodingError) as exc:
        # No exception chaining: the request it carries holds the client secret.
        logger.warning("GetBill token endpoint failed: %s", type(exc).__name__)
        error = _transport_error(exc)
        if isinstance(error, UpstreamTimeoutError):
            raise UpstreamTimeoutError() from None
        raise UpstreamUnavailableError(_SIGN_IN_FAILING) from None
    payload = _json_object(response.content)
    if response.status_code != 200:
        oauth_error = payload.get("error") if payload else None
        logger.warning(
            "GetBill token endpoint answered %d (%s)",
            response.status_code,
            oauth_error
            if isinstance(oauth_error, str) and _OAUTH_ERROR_RE.fullmatch(oauth_error)
            else "no OAuth error code",
        )
        raise UpstreamUnavailableError(_SIGN_IN_FAILING)
    token_type = payload.get("token_type", "Bearer") if payload else None
    if (
        payload is None
        or not isinstance(payload.get("access_token"), str)
        or not _TOKEN_RE.fullmatch(payload["access_token"])
        or not isinstance(token_type, str)
        or token_type.lower() != "bearer"
    ):
        logger.warning("GetBill token endpoint answered 200 without a usable bearer token")
        raise UpstreamUnavailableError(_SIGN_IN_FAILING)
    return payload


class _BearerAuth(httpx.Auth):
    """OAuth client-credentials auth with the shared token; a 401 renews it and retries once.

    A 403 is a decision about the resource, not about the token, so it never renews.
    """

    def __init__(self, *, config: _Config) -> None:
        self._config = config
        self._renewed = False

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + _token_get(config=self._config)
        response = yield request
        if response.status_code != 401 or self._renewed:
            return
        self._renewed = True
        logger.info("GetBill refused the access token (401); renewing it once")
        _token_forget(config=self._config, authorization=request.headers["Authorization"])
        request.headers["Authorization"] = "Bearer " + _token_get(
            config=self._config,
            rejected=request.headers["Authorization"].removeprefix("Bearer "),
        )
        yield request


# --- Rate limit ----------------------------------------------------------------------------


def _rate_limit_key(config_prefix: str) -> str:
    return f"{config_prefix}:rate-limit"


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name, "").strip()
    if not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def _reset_at(reset: int | None) -> datetime | None:
    if reset is None:
        return None
    # Documented as a Unix timestamp; small values can only be a number of seconds to wait.
    timestamp = reset if reset >= 1_000_000_000 else time.time() + reset
    try:
        return datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _rate_limit_record(*, config: _Config, response: httpx.Response) -> None:
    headers = response.headers
    limit = _header_int(headers, "X-RateLimit-Limit")
    remaining = _header_int(headers, "X-RateLimit-Remaining")
    reset_at = _reset_at(_header_int(headers, "X-RateLimit-Reset"))
    window = _header_int(headers, "X-RateLimit-Window")
    if response.status_code == 429 and remaining is None:
        remaining = 0
    if limit is None and remaining is None and reset_at is None and window is None:
        return
    status = RateLimitStatus(
        limit=limit, remaining=remaining, reset_at=reset_at, window_seconds=window
    )
    if remaining is not None and limit is not None and remaining <= limit // 10:
        logger.warning("GetBill quota running low: %d of %d requests left", remaining, limit)
    cache.set(_rate_limit_key(config.cache_prefix), status, timeout=min(window or 3600, 86400))


def rate_limit_status_get() -> RateLimitStatus | None:
    """The company's GetBill quota as of the last response (any worker's), if known."""
    try:
        config = _config_get()
    except UpstreamUnavailableError:
        return None
    status = cache.get(_rate_limit_key(config.cache_prefix))
    return status if isinstance(status, RateLimitStatus) else None


def _retry_after(*, payload: Mapping[str, Any] | None, response: httpx.Response) -> int | None:
    details = payload.get("details") if payload else None
    retry_after = details.get("retry_after") if isinstance(details, dict) else None
    if isinstance(retry_after, str) and retry_after.strip().isdigit():
        retry_after = int(retry_after)
    if (
        isinstance(retry_after, int | float)
        and not isinstance(retry_after, bool)
        and math.isfinite(retry_after)
        and retry_after >= 0
    ):
        return min(math.ceil(retry_after), 86400)
    header = _header_int(response.headers, "Retry-After")
    if header is not None:
        return min(header, 86400)
    reset_at = _reset_at(_header_int(response.headers, "X-RateLimit-Reset"))
    if reset_at is None:
        return None
    return min(max(0, math.ceil(reset_at.timestamp() - time.time())), 86400)


# --- Requests ------------------------------------------------------------------------------


@contextlib.contextmanager
def _lookup() -> Iterator[_Config]:
    """Run one lookup under its overall deadline."""
    config = _config_get()
    scope = _deadline.set(time.monotonic() + config.deadline)
    try:
        yield config
    finally:
        _deadline.reset(scope)


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def _message_clean(message: object) -> str | None:
    """GetBill's error message, made safe to show: one line, no control characters, capped."""
    if not isinstance(message, str):
        return None
    message = " ".join(_CONTROL_RE.sub(" ", message).split())
    if len(message) > MAX_MESSAGE_LENGTH:
        message = message[: MAX_MESSAGE_LENGTH - 1].rstrip() + "…"
    return message or None


def _api_get(
    *, config: _Config, path: str, params: Mapping[str, int] | None, not_found: str
) -> dict[str, Any]:
    """GET an API path (built by the caller from validated parts only); the success payload.

    At most one retry, only for failures where the request cannot have been acted on or that
    GetBill documents as transient (connection errors, 502/503/504), and only in time left.
    """
    client = _client_get()
    auth = _BearerAuth(config=config)
    started = time.monotonic()
    for attempt in (1, 2):
        request = client.build_request(
            "GET", config.api_url + path, params=params, timeout=_timeout(config)
        )
        try:
            response = client.send(request, auth=auth)
        except GetBillError:
            raise
        except (httpx.HTTPError, _ResponseTooLargeError, _UnexpectedEncodingError) as exc:
            # Nothing reached GetBill's application, or the connection dropped before any
            # answer: a GET is safe to send again.
            retry = (
                attempt == 1
                and isinstance(
                    exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.RemoteProtocolError
                )
                and _retry_in_time()
            )
            logger.warning(
                "GetBill GET %s failed: %s: %s%s",
                path,
                type(exc).__name__,
                exc,
                "; retrying" if retry else "",
            )
            if retry:
                continue
            raise _transport_error(exc) from None
        _rate_limit_record(config=config, response=response)
        status = response.status_code
        if status in _RETRYABLE_STATUSES and attempt == 1 and _retry_in_time():
            logger.warning("GetBill GET %s answered %d; retrying", path, status)
            continue
        logger.log(
            logging.DEBUG if status == 200 else logging.WARNING,
            "GetBill GET %s answered %d in %.0f ms",
            path,
            status,
            (time.monotonic() - started) * 1000,
        )
        payload = _json_object(response.content)
        if status == 200:
            if payload is None:
                raise UpstreamFailureError()
            return payload
        raise _status_error(config=config, response=response, payload=payload, not_found=not_found)
    raise AssertionError("unreachable: the second attempt always returns or raises")


def _retry_in_time() -> bool:
    try:
        return _remaining() > _RETRY_MIN_REMAINING
    except UpstreamTimeoutError:
        return False


def _status_error(
    *,
    config: _Config,
    response: httpx.Response,
    payload: dict[str, Any] | None,
    not_found: str,
) -> GetBillError:
    status = response.status_code
    if status in (400, 422):
        # The ID passed the dashboard's checks, but GetBill says it cannot be one of its IDs.
        return InvalidIdError("GetBill does not recognise this as one of its IDs.")
    if status == 401:
        # Refused even with a fresh token: the service account itself is refused. Back off as
        # for a failing token endpoint rather than sign in again on every lookup.
        _token_forget(
            config=config, authorization=response.request.headers.get("Authorization", "")
        )
        _backoff_record(config)
        return UpstreamUnavailableError(_SIGN_IN_FAILING)
    if status == 403:
        return AccessDeniedError(_message_clean(payload.get("message") if payload else None))
    if status == 404:
        return NotFoundError(not_found)
    if status == 429:
        retry_after = _retry_after(payload=payload, response=response)
        return RateLimitedError(retry_after_seconds=retry_after)
    return UpstreamFailureError()


# --- Parsing -------------------------------------------------------------------------------

_INVALID = object()


def _str_parse(value: object) -> object:
    return value if isinstance(value, str) else _INVALID


def _debt_id_parse(value: object) -> object:
    # Used to build links to the debt's page: only a well-formed ID is kept.
    return value if _id_is_valid(value) else _INVALID


def _datetime_parse(value: object) -> object:
    if not isinstance(value, str) or len(value) > 64:
        return _INVALID
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _INVALID
    # Without an offset the moment is ambiguous; "unknown" beats a wrong time.
    return parsed if parsed.tzinfo is not None else _INVALID


def _count_parse(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return _INVALID
    return value


def _bool_parse(value: object) -> object:
    return value if isinstance(value, bool) else _INVALID


_FIELD_PARSERS = {
    "debt_id": _debt_id_parse,
    "status": _str_parse,
    "type": _str_parse,
    "call_date": _datetime_parse,
    "scheduled_at": _datetime_parse,
    "processed_at": _datetime_parse,
    "summary": _str_parse,
    "notes": _str_parse,
    "call_id": _str_parse,
    "audio_url": _str_parse,
    "pdf_url": _str_parse,
    "duration_ms": _count_parse,
    "disconnection_reason": _str_parse,
    "direction": _str_parse,
    "phone_number_used": _str_parse,
    "is_retry": _bool_parse,
    "triggered_payment": _bool_parse,
    "email_opened": _bool_parse,
    "email_open_count": _count_parse,
    "email_first_opened_at": _datetime_parse,
    "email_clicked": _bool_parse,
    "email_click_count": _count_parse,
    "media_urls_expire_at": _datetime_parse,
}


def _followup_parse(*, data: Mapping[str, Any]) -> Followup:
    """A Followup from GetBill's object, whose `id` the caller has checked.

    Unknown enum strings are kept as they are; a value of the wrong type becomes None and is
    listed in `invalid_fields`. Only field names are logged: values may be personal data or
    signed URLs.
    """
    values: dict[str, Any] = {}
    invalid = []
    for name, parse in _FIELD_PARSERS.items():
        raw = data.get(name)
        value = None if raw is None else parse(raw)
        if value is _INVALID:
            invalid.append(name)
            value = None
        values[name] = value
    if invalid:
        logger.warning(
            "GetBill followup %s: unexpected type or format for %s; shown as unknown",
            data["id"],
            ", ".join(invalid),
        )
    return Followup(id=data["id"], invalid_fields=frozenset(invalid), **values)


def _success_data(payload: Mapping[str, Any]) -> object:
    if payload.get("error") is not False:
        logger.warning("GetBill answered 200 without a success envelope")
        raise UpstreamFailureError()
    return payload.get("data")


def _count_field(value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UpstreamFailureError()
    return value


# --- Public API ----------------------------------------------------------------------------


def followup_get(*, followup_id: str) -> Followup:
    """The followup `followup_id` from GetBill; GetBillError subclasses for every failure."""
    followup_id = getbill_id_clean(raw=followup_id)
    with _lookup() as config:
        payload = _api_get(
            config=config,
            path=f"/followups/{followup_id}",
            params=None,
            not_found="GetBill has no followup with this ID.",
        )
    data = _success_data(payload)
    if not isinstance(data, dict) or data.get("id") != followup_id:
        logger.warning("GetBill answered for a followup other than %s", followup_id)
        raise UpstreamFailureError()
    return _followup_parse(data=data)


def debt_followups_get(*, debt_id: str, page: int = 1, limit: int = 100) -> FollowupPage:
    """One page of the followups of debt `debt_id`.

    `page` (from 1) and `limit` (1 to 100) are chosen by the caller's code, not by users:
    other values are a programming error (ValueError).
    """
    debt_id = getbill_id_clean(raw=debt_id)
    for name, value, maximum in (("page", page, MAX_PAGE), ("limit", limit, MAX_PAGE_SIZE)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValueError(f"{name} must be an integer from 1 to {maximum}")
    with _lookup() as config:
        payload = _api_get(
            config=config,
            path=f"/followups/debt/{debt_id}",
            params={"page": page, "limit": limit},
            not_found="GetBill has no debt with this ID.",
        )
    data = _success_data(payload)
    raw_pagination = payload.get("pagination")
    if not isinstance(data, list) or not isinstance(raw_pagination, dict):
        logger.warning("GetBill followups of debt %s: not a paginated list", debt_id)
        raise UpstreamFailureError()
    pagination = Pagination(
        total=_count_field(raw_pagination.get("total"), minimum=0),
        page=_count_field(raw_pagination.get("page"), minimum=1),
        limit=_count_field(raw_pagination.get("limit"), minimum=1),
        pages=_count_field(raw_pagination.get("pages"), minimum=0),
    )
    if pagination.page != page or len(data) > pagination.limit or len(data) > pagination.total:
        logger.warning("GetBill followups of debt %s: pagination does not match", debt_id)
        raise UpstreamFailureError()
    for item in data:
        if not isinstance(item, dict) or not _id_is_valid(item.get("id")):
            logger.warning("GetBill followups of debt %s: an item has no valid id", debt_id)
            raise UpstreamFailureError()
        if item.get("debt_id") != debt_id:
            logger.warning("GetBill followups of debt %s: an item of another debt", debt_id)
            raise UpstreamFailureError()
    return FollowupPage(
        followups=tuple(_followup_parse(data=item) for item in data), pagination=pagination
    )
