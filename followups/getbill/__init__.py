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
models.py     Followup, Pagination, FollowupPage, Debt, RateLimitStatus
ids.py        the one ID cleaner, and GetBillId, the type of an ID that passed it; foreign
              characters glued inside a pasted ID (look-alikes, invisible, full-width)
config.py     GETBILL_* settings parsers, and the client's configuration (read once)
deadline.py   the per-lookup deadline, and the time left of it
transport.py  deadline-aware backend, capped bodies, no redirects, the shared httpx client
tokens.py     the shared OAuth token (TokenCache) and the Bearer auth
scopes.py     which OAuth scopes the client has (debts:read may be missing), learnt once
quota.py      X-RateLimit-* bookkeeping, Retry-After
readers.py    one reader each for integers, moments and text, and for JSON bodies and messages
parse.py      the one place answers are read, through those readers
parse_debt.py a debt's answer, through the same readers, without the debtor's contact details
api.py        api_get (every GET), the status -> error map, followup_get, debt_followups_get,
              followups_list_get, debt_get, and the same through the cache (followup_answer_get,
              debt_followups_answer_get, followups_list_answer_get, debt_answer_get),
              lookup_deadline (one deadline for a lookup of several requests)
cached.py     the lookups through the cache, and what GetBill tells without being asked
              (webhooks): followup_answer_keep, followup_answers_drop, debt_answers_drop
answers.py    the shared cache of answers: answer_get (any GET, under an AnswerKey), its modes
              (KEPT peeks without asking: NotKeptError), stale copies on failure, the quota
              reserve
answer_entries.py
              a kept answer: AnswerKey, Answer, its entry in the cache, freshness,
              media-link expiry (MEDIA_LINK_MARGIN_SECONDS), which failures a stale copy covers
single_flight.py
              one request to GetBill per key at a time, across threads and processes
media_urls.py which media links may reach a page; the one GETBILL_MEDIA_HOSTS entry parser
media_download.py
              recording_download: one recording behind a signed link into a file, for the
              server's own use (transcripts), with its errors (MediaDownloadError...)
signals.py    followups_received: sent with the followups of every answer just read, for the
              apps that keep facts of their own (followups imports none of them)
"""

from followups.getbill.answer_entries import (
    MEDIA_LINK_MARGIN_SECONDS,
    Answer,
    AnswerKey,
    AnswerSource,
)
from followups.getbill.answers import (
    AnswerMode,
    NotKeptError,
    QuotaReserveSkippedError,
    answer_get,
    answers_combined,
    quota_status_under_reserve,
    quota_under_reserve,
)
from followups.getbill.api import (
    FOLLOWUP_STATUSES,
    FOLLOWUP_TYPES,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    debt_followups_get,
    debt_get,
    followup_get,
    followups_list_get,
    lookup_deadline,
)
from followups.getbill.cached import (
    NotWholeFollowupError,
    OlderFollowupError,
    debt_answer_get,
    debt_answers_drop,
    debt_followups_answer_get,
    followup_answer_get,
    followup_answer_keep,
    followup_answers_drop,
    followups_list_answer_get,
)
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
from followups.getbill.deadline import time_left
from followups.getbill.errors import (
    AccessDeniedError,
    GetBillError,
    IdRefusedError,
    InvalidIdError,
    NotFoundError,
    RateLimitedError,
    ScopeMissingError,
    ScopeRefusedError,
    Subject,
    UpstreamFailureError,
    UpstreamGatewayError,
    UpstreamMalformedError,
    UpstreamServerError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    UpstreamWrongAnswerError,
)
from followups.getbill.ids import (
    MAX_ID_LENGTH,
    GetBillId,
    getbill_id_clean,
    id_glued_character,
    id_glued_message,
    id_is_valid,
)
from followups.getbill.media_download import (
    MediaDownload,
    MediaDownloadError,
    MediaEmptyError,
    MediaLinkExpiredError,
    MediaLinkRefusedError,
    MediaMissingError,
    MediaNotAudioError,
    MediaTooLargeError,
    MediaUnavailableError,
    recording_download,
)
from followups.getbill.media_urls import (
    MediaHost,
    host_is_loopback,
    media_hosts_get,
    media_hosts_parse,
    media_hosts_read,
    media_url_allowed,
)
from followups.getbill.models import Debt, Followup, FollowupPage, Pagination, RateLimitStatus
from followups.getbill.parse import LONG_TEXT_MAX_LENGTH
from followups.getbill.quota import rate_limit_status_get
from followups.getbill.readers import text_clean
from followups.getbill.scopes import DEBTS_SCOPE, FOLLOWUPS_SCOPE
from followups.getbill.signals import followups_received
from followups.getbill.tokens import TokenCache, token_cache_for
from followups.getbill.transport import client_transport_override

__all__ = [
    "DEBTS_SCOPE",
    "DEFAULT_API_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_DEADLINE",
    "DEFAULT_MEDIA_HOSTS",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_SCOPES",
    "DEFAULT_TOKEN_URL",
    "FOLLOWUPS_SCOPE",
    "FOLLOWUP_STATUSES",
    "FOLLOWUP_TYPES",
    "LONG_TEXT_MAX_LENGTH",
    "MAX_ID_LENGTH",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "MEDIA_LINK_MARGIN_SECONDS",
    "AccessDeniedError",
    "Answer",
    "AnswerKey",
    "AnswerMode",
    "AnswerSource",
    "Debt",
    "Followup",
    "FollowupPage",
    "GetBillConfig",
    "GetBillError",
    "GetBillId",
    "IdRefusedError",
    "InvalidIdError",
    "MediaDownload",
    "MediaDownloadError",
    "MediaEmptyError",
    "MediaHost",
    "MediaLinkExpiredError",
    "MediaLinkRefusedError",
    "MediaMissingError",
    "MediaNotAudioError",
    "MediaTooLargeError",
    "MediaUnavailableError",
    "NotFoundError",
    "NotKeptError",
    "NotWholeFollowupError",
    "OlderFollowupError",
    "Pagination",
    "QuotaReserveSkippedError",
    "RateLimitStatus",
    "RateLimitedError",
    "ScopeMissingError",
    "ScopeRefusedError",
    "Subject",
    "TokenCache",
    "UpstreamFailureError",
    "UpstreamGatewayError",
    "UpstreamMalformedError",
    "UpstreamServerError",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
    "UpstreamWrongAnswerError",
    "answer_get",
    "answers_combined",
    "client_transport_override",
    "config_get",
    "debt_answer_get",
    "debt_answers_drop",
    "debt_followups_answer_get",
    "debt_followups_get",
    "debt_get",
    "followup_answer_get",
    "followup_answer_keep",
    "followup_answers_drop",
    "followup_get",
    "followups_list_answer_get",
    "followups_list_get",
    "followups_received",
    "getbill_id_clean",
    "host_is_loopback",
    "id_glued_character",
    "id_glued_message",
    "id_is_valid",
    "lookup_deadline",
    "media_hosts_get",
    "media_hosts_parse",
    "media_hosts_read",
    "media_url_allowed",
    "origin_host_port",
    "quota_status_under_reserve",
    "quota_under_reserve",
    "rate_limit_status_get",
    "recording_download",
    "scopes_parse",
    "seconds_parse",
    "text_clean",
    "time_left",
    "token_cache_for",
    "upstream_url_clean",
]
