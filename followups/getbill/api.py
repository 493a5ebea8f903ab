"""Requests to GetBill's external API: every GET goes through `api_get`.

- Paths are built here only, from validated IDs (`ids.py`).
- Each lookup runs under its overall deadline (`deadline.py`), on a transport that caps bodies
  and refuses redirects (`transport.py`), signed in with the shared token (`tokens.py`).
- At most one retry, only where it is safe; every answer's quota headers are kept (`quota.py`).
- Answers are read by `parse.py` alone; failures become the errors of `errors.py`.
- `cached.py` makes the same lookups through the shared cache of answers (`answers.py`).
"""

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from followups.getbill import errors
from followups.getbill.config import GetBillConfig, config_get
from followups.getbill.deadline import deadline_applied, remaining
from followups.getbill.errors import GetBillError, Subject
from followups.getbill.ids import getbill_id_clean
from followups.getbill.models import Debt, Followup, FollowupPage
from followups.getbill.parse import (
    followup_answer_parse,
    followup_page_parse,
    followups_list_parse,
)
from followups.getbill.parse_debt import debt_answer_parse
from followups.getbill.quota import rate_limit_record, retry_after
from followups.getbill.readers import json_object, message_clean
from followups.getbill.scopes import DEBTS_SCOPE, scope_available, scope_missing_record
from followups.getbill.signals import followups_received_send
from followups.getbill.tokens import BearerAuth, token_cache_for
from followups.getbill.transport import (
    TRANSPORT_ERRORS,
    client_get,
    timeout_for,
    transport_error,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
# Below this, a retry could not finish anyway.
_RETRY_MIN_REMAINING = 0.2
_RETRYABLE_STATUSES = frozenset({502, 503, 504})
# The values GetBill documents for a followup's status (get-followup-page.txt, which lists
# `read` besides the list page's eleven) and type: the only ones the list's filters send.
FOLLOWUP_STATUSES = (
    "on_hold",
    "scheduled",
    "in_progress",
    "sent",
    "delivered",
    "read",
    "deal_found",
    "no_answer",
    "deal_not_found",
    "bad_behavior",
    "failed",
    "cancelled",
)
FOLLOWUP_TYPES = (
    "call",
    "email",
    "sms",
    "whatsapp",
    "voicemail",
    "manual_call",
    "physical",
    "postmail",
)
_SCOPE_REFUSED = 'Required scope "{scope}"'

QueryParams = Mapping[str, int | str]


def api_get(*, path: str, params: QueryParams | None, subject: Subject) -> dict[str, Any]:
    """GET an API path (built by the caller from validated parts only); the success payload.

    The one way to GetBill's API: one lookup, under its own deadline. `subject` is what the
    path names, for the errors. Raises GetBillError subclasses for every failure.
    """
    config = config_get()
    with deadline_applied(seconds=config.deadline):
        response = _response_get(config=config, path=path, params=params)
    payload = json_object(response.content)
    if response.status_code == 200:
        if payload is None:
            raise errors.UpstreamMalformedError(subject=subject)
        return payload
    if response.status_code == 401:
        # Refused even with a fresh token: the service account itself is refused. Back off as
        # for a failing token endpoint rather than sign in again on every lookup.
        tokens = token_cache_for(config)
        tokens.forget(authorization=response.request.headers.get("Authorization", ""))
        tokens.backoff_record()
    raise status_error(response=response, payload=payload, subject=subject)


def _response_get(
    *, config: GetBillConfig, path: str, params: QueryParams | None
) -> httpx.Response:
    """The answer to the GET, retried at most once.

    Only failures where the request cannot have been acted on or that GetBill documents as
    transient (connection errors, 502/503/504) are retried, and only in time left.
    """
    client = client_get()
    auth = BearerAuth(tokens=token_cache_for(config))
    started = time.monotonic()
    for attempt in (1, 2):
        request = client.build_request(
            "GET", config.api_url + path, params=params, timeout=timeout_for(config)
        )
        try:
            response = client.send(request, auth=auth)
        except GetBillError:
            raise
        except TRANSPORT_ERRORS as exc:
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
            raise transport_error(exc) from None
        rate_limit_record(config=config, response=response)
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
        return response
    raise AssertionError("unreachable: the second attempt always returns or raises")


def _retry_in_time() -> bool:
    try:
        return remaining() > _RETRY_MIN_REMAINING
    except errors.UpstreamTimeoutError:
        return False


def status_error(
    *, response: httpx.Response, payload: Mapping[str, Any] | None, subject: Subject
) -> GetBillError:
    """The error for a non-200 answer about `subject`; nothing else is done here."""
    status = response.status_code
    if status in (400, 422):
        # The ID passed the dashboard's checks, but GetBill says it cannot be one of its IDs.
        return errors.IdRefusedError(subject=subject)
    if status == 401:
        return errors.UpstreamUnavailableError(errors.SIGN_IN_FAILING, subject=subject)
    if status == 403:
        message = message_clean(payload.get("message") if payload else None)
        return errors.AccessDeniedError(message, subject=subject)
    if status == 404:
        return errors.NotFoundError(f"GetBill has no {subject} with this ID.", subject=subject)
    if status == 429:
        wait = retry_after(payload=payload, response=response)
        return errors.RateLimitedError(retry_after_seconds=wait, subject=subject)
    if payload is None:
        # Not GetBill's JSON error: a proxy's or gateway's page (HTML) answered instead.
        return errors.UpstreamGatewayError(subject=subject)
    if status >= 500:
        return errors.UpstreamServerError(upstream_status=status, subject=subject)
    return errors.UpstreamFailureError(subject=subject)


# --- Public API ----------------------------------------------------------------------------


@contextlib.contextmanager
def lookup_deadline() -> Iterator[None]:
    """One GETBILL_DEADLINE for every request made in the block, as for a single request:
    a lookup made of several requests (a debt's pages) ends within it as a whole."""
    with deadline_applied(seconds=config_get().deadline):
        yield


def followup_get(*, followup_id: str) -> Followup:
    """The followup `followup_id` from GetBill; GetBillError subclasses for every failure."""
    followup_id = getbill_id_clean(raw=followup_id)
    payload = api_get(path=f"/followups/{followup_id}", params=None, subject="followup")
    followup = followup_answer_parse(payload=payload, followup_id=followup_id)
    followups_received_send(followups=(followup,))
    return followup


def debt_followups_get(*, debt_id: str, page: int = 1, limit: int = 100) -> FollowupPage:
    """One page of the followups of debt `debt_id`.

    `page` (from 1) and `limit` (1 to 100) are chosen by the caller's code, not by users:
    other values are a programming error (ValueError).
    """
    debt_id = getbill_id_clean(raw=debt_id, subject="debt")
    page_check(page=page, limit=limit)
    payload = api_get(
        path=f"/followups/debt/{debt_id}", params={"page": page, "limit": limit}, subject="debt"
    )
    followup_page = followup_page_parse(payload=payload, debt_id=debt_id, page=page)
    followups_received_send(followups=followup_page.followups)
    return followup_page


def page_check(*, page: int, limit: int) -> None:
    for name, value, maximum in (("page", page, MAX_PAGE), ("limit", limit, MAX_PAGE_SIZE)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValueError(f"{name} must be an integer from 1 to {maximum}")


def followups_list_get(
    *, page: int, limit: int, status: str | None = None, type: str | None = None
) -> FollowupPage:
    """One page of every followup of the company, newest first, filtered by `status` and `type`.

    Page, limit and filters are checked by the caller's code before: a page outside 1 to
    MAX_PAGE, a limit outside 1 to 100 or a filter value GetBill does not document is a
    programming error (ValueError), never a request.
    """
    page_check(page=page, limit=limit)
    filters: dict[str, str] = {}
    for name, value, documented in (
        ("status", status, FOLLOWUP_STATUSES),
        ("type", type, FOLLOWUP_TYPES),
    ):
        if value is None:
            continue
        if value not in documented:
            raise ValueError(f"{name} must be one of GetBill's documented values")
        filters[name] = value
    payload = api_get(
        path="/followups", params={"page": page, "limit": limit, **filters}, subject="followup"
    )
    followup_page = followups_list_parse(payload=payload, page=page, filters=filters)
    followups_received_send(followups=followup_page.followups)
    return followup_page


def debts_scope_require(*, config: GetBillConfig) -> None:
    """ScopeMissingError when the client is known to lack `debts:read` (not configured, refused
    at sign-in, or refused lately by the API): then GetBill is not asked for a debt."""
    if not scope_available(config=config, scope=DEBTS_SCOPE):
        raise errors.ScopeMissingError(subject="debt")


def debt_get(*, debt_id: str) -> Debt:
    """The debt `debt_id` from GetBill (scope `debts:read`); GetBillError subclasses for every
    failure.

    ScopeMissingError when the client lacks `debts:read`: GetBill is not asked when that is
    already known (not configured, refused at sign-in, or refused lately by the API).
    """
    debt_id = getbill_id_clean(raw=debt_id, subject="debt")
    config = config_get()
    debts_scope_require(config=config)
    try:
        payload = api_get(path=f"/debts/{debt_id}", params=None, subject="debt")
    except errors.AccessDeniedError as error:
        if _SCOPE_REFUSED.format(scope=DEBTS_SCOPE) not in error.user_message:
            raise
        scope_missing_record(config=config, scope=DEBTS_SCOPE, reason="the API refused it (403)")
        raise errors.ScopeRefusedError(subject="debt") from None
    return debt_answer_parse(payload=payload, debt_id=debt_id)
