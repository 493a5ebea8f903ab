"""The OAuth 2.0 client-credentials access token, shared by every worker, and the Bearer auth.

The token lives in Django's cache, so all worker processes share it (with a shared cache such
as Redis). Renewal is single-flight: threads of a process queue on a lock, processes on an
atomic `cache.add`; whoever does not renew keeps using a token that is still valid, or waits
for the new one to appear in the cache. A failing token endpoint is backed off, not hammered.
"""

import functools
import logging
import math
import re
import threading
import time
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx
from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables

from dashboard.logging import secret_literal_remember
from followups.getbill.config import GetBillConfig
from followups.getbill.deadline import remaining
from followups.getbill.errors import (
    SIGN_IN_FAILING,
    GetBillError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from followups.getbill.readers import int_read, json_object
from followups.getbill.scopes import (
    FOLLOWUPS_SCOPE,
    scope_missing_record,
    scopes_granted_record,
    scopes_requested,
)
from followups.getbill.transport import (
    TRANSPORT_ERRORS,
    client_get,
    timeout_for,
    transport_error,
)

logger = logging.getLogger(__name__)

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

_OAUTH_ERROR_RE = re.compile(r"[a-z_]{1,64}")
_TOKEN_RE = re.compile(r"[\x21-\x7e]{1,8192}")


def token_lifetime(expires_in: object) -> int:
    """Seconds a token lives, from the token endpoint's `expires_in` (bounded, defaulted)."""
    seconds = int_read(expires_in, minimum=1, from_text=True)
    return TOKEN_LIFETIME_DEFAULT if seconds is None else min(seconds, TOKEN_LIFETIME_MAX)


class TokenCache:
    """The shared access token of one GetBill client (one configuration).

    Cache entries: `token_key` holds {"access_token", "renew_at", "expires_at"}, `backoff_key`
    {"failures", "until"}, `lock_key` marks the process renewing.
    """

    def __init__(self, *, config: GetBillConfig) -> None:
        self.config = config
        self.token_key = f"{config.cache_prefix}:token"
        self.backoff_key = f"{config.cache_prefix}:token-backoff"
        self.lock_key = f"{config.cache_prefix}:token-lock"
        # Threads of this process renew one at a time; other processes wait on `lock_key`.
        self._renewal_lock = threading.Lock()

    @sensitive_variables()
    def get(self, *, rejected: str | None = None) -> str:
        """A valid access token: the shared one, or a new one when it is due for renewal.

        `rejected` is a token GetBill just refused, never handed out again.
        """
        entry = self._entry_usable(rejected=rejected)
        if entry is not None and time.time() < entry["renew_at"]:
            return str(entry["access_token"])
        if entry is not None:
            # Due for renewal but still valid: renew only if nobody else in this process is.
            if not self._renewal_lock.acquire(blocking=False):
                return str(entry["access_token"])
        elif not self._renewal_lock.acquire(timeout=min(remaining(), threading.TIMEOUT_MAX)):
            raise UpstreamTimeoutError()
        try:
            return self.renew(rejected=rejected)
        finally:
            self._renewal_lock.release()

    @sensitive_variables()
    def forget(self, *, authorization: str) -> None:
        """Drop a token GetBill refused, unless the cache already holds a newer one."""
        entry = cache.get(self.token_key)
        if isinstance(entry, dict) and f"Bearer {entry.get('access_token')}" == authorization:
            # Not atomic: at worst a token renewed in between is dropped and renewed once more.
            cache.delete(self.token_key)

    @sensitive_variables()
    def renew(self, *, rejected: str | None) -> str:
        """A new token from the endpoint, unless another thread or process just got one."""
        while True:
            # Re-read: another thread or process may have renewed it while this one waited.
            entry = self._entry_usable(rejected=rejected)
            if entry is not None and time.time() < entry["renew_at"]:
                return str(entry["access_token"])
            if self.backoff_active():
                if entry is not None:
                    return str(entry["access_token"])
                raise UpstreamUnavailableError(SIGN_IN_FAILING)
            # Held at most as long as a lookup may last, so a crashed holder blocks nobody long.
            if cache.add(self.lock_key, "renewing", timeout=math.ceil(self.config.deadline) + 1):
                try:
                    return self._request()
                finally:
                    cache.delete(self.lock_key)
            if entry is not None:
                return str(entry["access_token"])
            time.sleep(min(_TOKEN_WAIT_POLL, remaining()))

    def backoff_active(self) -> bool:
        backoff = cache.get(self.backoff_key)
        return isinstance(backoff, dict) and time.time() < backoff.get("until", 0)

    def backoff_record(self) -> None:
        """Count one more failed sign-in: nobody asks for a token again for a while."""
        backoff = cache.get(self.backoff_key)
        failures = backoff.get("failures", 0) + 1 if isinstance(backoff, dict) else 1
        delay = min(TOKEN_BACKOFF_FIRST * 2 ** (failures - 1), TOKEN_BACKOFF_MAX)
        # Kept beyond the delay itself, so that the next failure waits longer.
        cache.set(
            self.backoff_key,
            {"failures": failures, "until": time.time() + delay},
            timeout=math.ceil(TOKEN_BACKOFF_MAX * 2),
        )
        logger.warning(
            "GetBill sign-in failed %d time(s) in a row; no new attempt for %.0f s",
            failures,
            delay,
        )

    @sensitive_variables()
    def _entry_usable(self, *, rejected: str | None) -> dict[str, Any] | None:
        """The cached token entry if it has not expired and is not the one GetBill refused."""
        entry = cache.get(self.token_key)
        if not isinstance(entry, dict) or entry.get("access_token") in (None, rejected):
            return None
        if time.time() >= entry.get("expires_at", 0):
            return None
        return entry

    @sensitive_variables()
    def _request(self) -> str:
        """Ask the token endpoint for a new token and share it; back off if that fails."""
        remaining()  # out of time is this lookup's failure, not the token endpoint's
        try:
            payload = self._payload()
        except GetBillError:
            self.backoff_record()
            raise
        lifetime = token_lifetime(payload.get("expires_in"))
        now = time.time()
        access_token = str(payload["access_token"])
        cache.set(
            self.token_key,
            {
                "access_token": access_token,
                "renew_at": now + lifetime - min(TOKEN_RENEW_MARGIN, lifetime / 2),
                "expires_at": now + lifetime,
            },
            timeout=lifetime,
        )
        cache.delete(self.backoff_key)
        logger.info("GetBill sign-in succeeded; access token valid for %d s", lifetime)
        return access_token

    @sensitive_variables()
    def _payload(self) -> dict[str, Any]:
        """The token endpoint's answer, asked for the configured scopes less those known to be
        missing; a refused optional scope (`invalid_scope`) is remembered and the request made
        once more with `followups:read` alone, so that followups keep working."""
        config = self.config
        requested = scopes_requested(config=config)
        response = self._token_post(scope=requested)
        payload = json_object(response.content)
        if (
            response.status_code == 400
            and payload is not None
            and payload.get("error") == "invalid_scope"
            and requested != FOLLOWUPS_SCOPE
        ):
            for scope in set(requested.split()) - {FOLLOWUPS_SCOPE}:
                scope_missing_record(
                    config=config, scope=scope, reason="the token endpoint refused it"
                )
            requested = FOLLOWUPS_SCOPE
            response = self._token_post(scope=requested)
            payload = json_object(response.content)
        if response.status_code != 200:
            oauth_error = payload.get("error") if payload else None
            logger.warning(
                "GetBill token endpoint answered %d (%s)",
                response.status_code,
                oauth_error
                if isinstance(oauth_error, str) and _OAUTH_ERROR_RE.fullmatch(oauth_error)
                else "no OAuth error code",
            )
            raise UpstreamUnavailableError(SIGN_IN_FAILING)
        if payload is not None:
            scopes_granted_record(config=config, requested=requested, granted=payload.get("scope"))
        token_type = payload.get("token_type", "Bearer") if payload else None
        if (
            payload is None
            or not isinstance(payload.get("access_token"), str)
            or not _TOKEN_RE.fullmatch(payload["access_token"])
            or not isinstance(token_type, str)
            or token_type.lower() != "bearer"
        ):
            logger.warning("GetBill token endpoint answered 200 without a usable bearer token")
            raise UpstreamUnavailableError(SIGN_IN_FAILING)
        return payload

    @sensitive_variables()
    def _token_post(self, *, scope: str) -> httpx.Response:
        config = self.config
        client = client_get()
        request = client.build_request(
            "POST",
            config.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "scope": scope,
            },
            timeout=timeout_for(config),
        )
        try:
            return client.send(request)
        except GetBillError:
            raise
        except TRANSPORT_ERRORS as exc:
            # No exception chaining: the request it carries holds the client secret.
            logger.warning("GetBill token endpoint failed: %s", type(exc).__name__)
            if isinstance(transport_error(exc), UpstreamTimeoutError):
                raise UpstreamTimeoutError() from None
            raise UpstreamUnavailableError(SIGN_IN_FAILING) from None


@functools.lru_cache(maxsize=8)
def token_cache_for(config: GetBillConfig) -> TokenCache:
    """The one TokenCache of a configuration in this process (so its lock is shared)."""
    return TokenCache(config=config)


class BearerAuth(httpx.Auth):
    """OAuth client-credentials auth with the shared token; a 401 renews it and retries once.

    A 403 is a decision about the resource, not about the token, so it never renews. Getting a
    token reads the cache, may wait on locks and sends a request of its own, so, as httpx's
    documentation asks of such an auth, this overrides `sync_auth_flow`; the client is
    synchronous, and the asynchronous flow refuses.
    """

    def __init__(self, *, tokens: TokenCache) -> None:
        self._tokens = tokens
        self._renewed = False

    @staticmethod
    def _authorize(request: httpx.Request, token: str) -> None:
        # Whatever GetBill answers from here on may echo the token: redacted wherever shown.
        secret_literal_remember(token)
        request.headers["Authorization"] = "Bearer " + token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._authorize(request, self._tokens.get())
        response = yield request
        if response.status_code != 401 or self._renewed:
            return
        self._renewed = True
        logger.info("GetBill refused the access token (401); renewing it once")
        self._tokens.forget(authorization=request.headers["Authorization"])
        rejected = request.headers["Authorization"].removeprefix("Bearer ")
        self._authorize(request, self._tokens.get(rejected=rejected))
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise NotImplementedError("The GetBill client is synchronous; use httpx.Client.")
        yield request  # pragma: no cover - makes this an async generator, as httpx expects
