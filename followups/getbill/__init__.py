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

Code outside this package imports only the names below.

errors.py     GetBillError and its subclasses, each with its status, messages and audit words
models.py     Followup, Pagination, FollowupPage, RateLimitStatus
ids.py        the one ID cleaner, and GetBillId, the type of an ID that passed it
config.py     GETBILL_* settings parsers, and the client's configuration (read once)
deadline.py   the per-lookup deadline
transport.py  deadline-aware backend, capped bodies, no redirects, the shared httpx client
tokens.py     the shared OAuth token (TokenCache) and the Bearer auth
quota.py      X-RateLimit-* bookkeeping, Retry-After
parse.py      the one place answers are read
api.py        api_get (every GET), the status -> error map, followup_get, debt_followups_get
media_urls.py which media links may reach a page; the one GETBILL_MEDIA_HOSTS entry parser
"""

from followups.getbill.api import MAX_PAGE, MAX_PAGE_SIZE, debt_followups_get, followup_get
from followups.getbill.config import (
    DEFAULT_API_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE,
    DEFAULT_MEDIA_HOSTS,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_SCOPES,
    DEFAULT_TOKEN_URL,
    GetBillConfig,
    config_get,
    origin_host_port,
    scopes_parse,
    seconds_parse,
    upstream_url_clean,
)
from followups.getbill.errors import (
    AccessDeniedError,
    GetBillError,
    IdRefusedError,
    InvalidIdError,
    NotFoundError,
    RateLimitedError,
    Subject,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from followups.getbill.ids import MAX_ID_LENGTH, GetBillId, getbill_id_clean
from followups.getbill.media_urls import (
    MediaHost,
    host_is_loopback,
    media_hosts_get,
    media_hosts_parse,
    media_hosts_read,
    media_url_allowed,
)
from followups.getbill.models import Followup, FollowupPage, Pagination, RateLimitStatus
from followups.getbill.quota import rate_limit_status_get
from followups.getbill.tokens import TokenCache, token_cache_for
from followups.getbill.transport import client_transport_override

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_DEADLINE",
    "DEFAULT_MEDIA_HOSTS",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_SCOPES",
    "DEFAULT_TOKEN_URL",
    "MAX_ID_LENGTH",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "AccessDeniedError",
    "Followup",
    "FollowupPage",
    "GetBillConfig",
    "GetBillError",
    "GetBillId",
    "IdRefusedError",
    "InvalidIdError",
    "MediaHost",
    "NotFoundError",
    "Pagination",
    "RateLimitStatus",
    "RateLimitedError",
    "Subject",
    "TokenCache",
    "UpstreamFailureError",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
    "client_transport_override",
    "config_get",
    "debt_followups_get",
    "followup_get",
    "getbill_id_clean",
    "host_is_loopback",
    "media_hosts_get",
    "media_hosts_parse",
    "media_hosts_read",
    "media_url_allowed",
    "origin_host_port",
    "rate_limit_status_get",
    "scopes_parse",
    "seconds_parse",
    "token_cache_for",
    "upstream_url_clean",
]
