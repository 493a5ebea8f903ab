"""The sandbox's OAuth token endpoint logic: client credentials in, signed bearer tokens out.

Tokens are JWT-shaped (header.payload.signature, HMAC-SHA256 keyed from SECRET_KEY) and carry
the client, the granted scopes and the expiry, so checking one needs no stored state. Errors
follow RFC 6749 section 5.2, since GetBill's own error list for this endpoint is not public.
"""

import base64
import hmac
import json
import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.crypto import salted_hmac

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# What GetBill's API client screen would have ticked for the dashboard's service account:
# every read scope, no write scope.
GRANTED_SCOPES = frozenset(
    {
        "followups:read",
        "debts:read",
        "debtors:read",
        "reports:read",
        "company:read",
        "users:read",
        "webhooks:read",
    }
)
KNOWN_SCOPES = GRANTED_SCOPES | {"followups:write", "debts:write"}
_ISSUER = "getbill-sandbox"
_SALT = "sandbox.tokens"


def granted_scopes() -> frozenset[str]:
    """The scopes this client was given: GRANTED_SCOPES, or SANDBOX_GRANTED_SCOPES when set
    (a client whose administrator did not tick `debts:read`, for example)."""
    configured = getattr(settings, "SANDBOX_GRANTED_SCOPES", None)
    return GRANTED_SCOPES if configured is None else frozenset(configured)


class TokenRequestError(Exception):
    """A refused token request, as an OAuth error code and description."""

    def __init__(self, *, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


@dataclass(frozen=True)
class TokenClaims:
    client_id: str
    scopes: frozenset[str]
    expires_at: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(*, signing_input: str) -> str:
    return _b64(salted_hmac(_SALT, signing_input, algorithm="sha256").digest())


def _single_param(*, form: QueryDict, name: str) -> str:
    values = form.getlist(name)
    if len(values) > 1:
        raise TokenRequestError(
            error="invalid_request", description=f"The {name} parameter is repeated."
        )
    return values[0] if values else ""


def token_issue(*, content_type: str, form: QueryDict, now: float | None = None) -> IssuedToken:
    """Check a client-credentials request and sign a token for it."""
    if content_type != FORM_CONTENT_TYPE:
        raise TokenRequestError(
            error="invalid_request",
            description=f"The request body must be {FORM_CONTENT_TYPE}.",
        )
    grant_type = _single_param(form=form, name="grant_type")
    client_id = _single_param(form=form, name="client_id")
    client_secret = _single_param(form=form, name="client_secret")
    requested = _single_param(form=form, name="scope")
    if not grant_type:
        raise TokenRequestError(
            error="invalid_request", description="The grant_type parameter is missing."
        )
    if grant_type != "client_credentials":
        raise TokenRequestError(
            error="unsupported_grant_type",
            description="Only the client_credentials grant is available to this client.",
        )
    if not client_id or not client_secret:
        raise TokenRequestError(
            error="invalid_request",
            description="The client_id and client_secret parameters are required.",
        )
    # Both comparisons always run, so timing does not tell which one failed.
    id_ok = hmac.compare_digest(client_id.encode(), settings.GETBILL_CLIENT_ID.encode())
    secret_ok = hmac.compare_digest(client_secret.encode(), settings.GETBILL_CLIENT_SECRET.encode())
    if not (id_ok and secret_ok):
        raise TokenRequestError(
            error="invalid_client", description="Client authentication failed.", status_code=401
        )
    granted = granted_scopes()
    scopes = frozenset(requested.split()) if requested.strip() else granted
    unknown = sorted(scopes - KNOWN_SCOPES)
    if unknown:
        raise TokenRequestError(
            error="invalid_scope", description=f"Unknown scope: {' '.join(unknown)}."
        )
    refused = sorted(scopes - granted)
    if refused and getattr(settings, "SANDBOX_SCOPES_NARROWED", False) and scopes & granted:
        # RFC 6749 section 3.3: a server may issue fewer scopes than asked, and says which in
        # the answer's `scope`; the API then refuses what the token lacks with a 403.
        scopes &= granted
    elif refused:
        raise TokenRequestError(
            error="invalid_scope",
            description=f"Scope not granted to this client: {' '.join(refused)}.",
        )

    now = time.time() if now is None else now
    ttl = int(getattr(settings, "SANDBOX_TOKEN_TTL_SECONDS", 3600))
    scope = " ".join(sorted(scopes))
    payload = {
        "iss": _ISSUER,
        "sub": client_id,
        "client_id": client_id,
        "scope": scope,
        "iat": math.floor(now),
        "exp": math.floor(now) + ttl,
        "jti": secrets.token_hex(8),
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{header}.{body}"
    return IssuedToken(
        access_token=f"{signing_input}.{_signature(signing_input=signing_input)}",
        expires_in=ttl,
        scope=scope,
    )


def token_claims_read(*, token: str, now: float | None = None) -> TokenClaims | None:
    """The claims of a token this sandbox signed and that has not expired; otherwise None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    signing_input = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2].encode(), _signature(signing_input=signing_input).encode()):
        return None
    try:
        payload: Any = json.loads(_unb64(parts[1]))
        client_id, scope, expires_at = payload["client_id"], payload["scope"], payload["exp"]
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(client_id, str) and isinstance(scope, str) and isinstance(expires_at, int)):
        return None
    now = time.time() if now is None else now
    if now >= expires_at:
        return None
    return TokenClaims(client_id=client_id, scopes=frozenset(scope.split()), expires_at=expires_at)
