"""GetBill faked at the transport: an `httpx.MockTransport` handler installed through the client
package's public seam (`getbill.client_transport_override`), so everything above the transport
(sign-in, retries, status mapping, parsing) runs as in production.

It answers only what a test told it to: the token endpoint, the followups in `followups` (one
by one, and as GET /followups' list, filtered by type and status), the debts' followups in
`debts`, the debts themselves in `debt_records`, and canned `answers`; any other request fails
the test.

Its service account has `followups:read` only, as the token's `scope` says, unless a test adds
a debt (`debt_add`): the client then knows `debts:read` is missing and asks nothing for debt
cards, so pages that do not care about the card make no request for it.
"""

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from followups import getbill
from tests.support.examples import DEBT_ID, followup_json

ORIGIN = "https://getbill.test"
API_URL = f"{ORIGIN}/external-api/v1"
TOKEN_URL = f"{ORIGIN}/token"
ACCESS_TOKEN = "fake-access-token-0123456789"


# GetBill's Get Debt example (getbill-api.md, section 6.1), personal fields included: the
# client must drop them.
DEBT_EXAMPLE: dict[str, Any] = {
    "id": DEBT_ID,
    "civility": "Mr",
    "firstname": "John",
    "lastname": "Doe",
    "debtor_company": None,
    "company": "Acme Utilities",
    "amount": 1250.0,
    "amount_text": "1250.00",
    "currency": "EUR",
    "status": "status.default.in_progress",
    "invoice_reference": "INV-2024-001",
    "due_date": "2024-02-15",
    "payment_plan_active": False,
    "plan_start_date": None,
    "followups_count": 3,
    "nb_answered": 1,
    "phone": "+33800123456",
    "email": "john.doe@example.com",
    "birthdate": "1980-05-17",
    "address": "1 rue de l'Exemple",
    "iban": "FR7600000000000000000000000",
}


class UnexpectedRequestError(AssertionError):
    """GetBill was asked something the test did not expect."""


# What a path can be answered with: (status, JSON body), an exception the transport raises
# (a crash below the client), or a function of the request.
Answer = tuple[int, dict[str, Any]] | BaseException | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeGetBill:
    """What GetBill knows, and every request it received (`requests`, token requests aside)."""

    followups: dict[str, dict[str, Any]] = field(default_factory=dict)
    debts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # GET /debts/{id}: the debt cards' answers (scope debts:read, granted by `debt_add`).
    debt_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    granted_scopes: str = "followups:read"
    # API path (after the base URL, without query) -> its answer, for faults.
    answers: dict[str, Answer] = field(default_factory=dict)
    # Fields of the followup every ID not in `followups` is answered with, once `any_followup`
    # was called; until then such IDs are unexpected.
    any_followup_fields: dict[str, Any] | None = None
    # Sent with every API answer, e.g. X-RateLimit-* quota headers.
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    unexpected: list[httpx.Request] = field(default_factory=list)
    # Media links (URL without its query) -> what the storage answers: (status, body bytes,
    # Content-Type), or a function of the request. `media_requests` keeps what it was asked.
    media: dict[str, tuple[int, bytes, str] | Callable[[httpx.Request], httpx.Response]] = field(
        default_factory=dict
    )
    media_requests: list[httpx.Request] = field(default_factory=list)

    def followup_add(self, **fields: Any) -> dict[str, Any]:
        """A followup like the documented example, with `fields` changed; returns its JSON."""
        data = followup_json(**fields)
        self.followups[data["id"]] = data
        return data

    def debt_add(self, **fields: Any) -> dict[str, Any]:
        """A debt like GetBill's example (Mr John Doe owes €1,250.00), with `fields` changed, and
        the `debts:read` scope granted; returns its JSON."""
        data = {**DEBT_EXAMPLE, **fields}
        self.debt_records[data["id"]] = data
        self.granted_scopes = "followups:read debts:read"
        return data

    def any_followup(self, **fields: Any) -> None:
        """Answer every followup ID asked for with the example under that ID, with `fields`
        (a callable value is called with the ID)."""
        self.any_followup_fields = fields

    def followup_missing(self, *followup_ids: str) -> None:
        """GetBill has no followup under these IDs (404)."""
        for followup_id in followup_ids:
            self.answers[f"/followups/{followup_id}"] = error_answer(404, "Followup not found")

    def followup_ids_asked(self) -> list[str]:
        """The followup IDs GetBill was asked for, in order."""
        prefix = API_URL + "/followups/"
        return [
            url.removeprefix(prefix)
            for url in (str(r.url.copy_with(query=None)) for r in self.requests)
            if url.startswith(prefix) and not url.startswith(prefix + "debt/")
        ]

    def api_requests(self, path: str = "") -> list[httpx.Request]:
        prefix = API_URL + path
        return [r for r in self.requests if str(r.url).startswith(prefix)]

    def list_answer(self, request: httpx.Request) -> httpx.Response:
        """GET /followups: `followups` in the order they were added (taken as newest first),
        filtered by the request's `type` and `status`, paged (for an `answers` entry that
        changes some of the list's answers and leaves the others)."""
        query = parse_qs(request.url.query.decode())
        wanted = {name: query[name][0] for name in ("type", "status") if name in query}
        return _page_answer(
            [
                data
                for data in self.followups.values()
                if all(data.get(name) == value for name, value in wanted.items())
            ],
            page=int(query.get("page", ["1"])[0]),
            limit=int(query.get("limit", ["20"])[0]),
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(query=None))
        if request.method == "POST" and url == TOKEN_URL:
            body = {
                "access_token": ACCESS_TOKEN,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": self.granted_scopes,
            }
            return httpx.Response(200, json=body)
        if request.method == "GET" and url in self.media:
            self.media_requests.append(request)
            media = self.media[url]
            if callable(media):
                return media(request)
            media_status, media_body, content_type = media
            return httpx.Response(
                media_status, content=media_body, headers={"Content-Type": content_type}
            )
        if request.method == "GET" and url.startswith(API_URL + "/"):
            self.requests.append(request)
            answer = self._api_answer(request, path=url.removeprefix(API_URL))
            if answer is not None:
                answer.headers.update(self.headers)
                return answer
        self.unexpected.append(request)
        raise UnexpectedRequestError(f"unexpected request to GetBill: {request.method} {url}")

    def _api_answer(self, request: httpx.Request, *, path: str) -> httpx.Response | None:
        if path in self.answers:
            answer = self.answers[path]
            if isinstance(answer, BaseException):
                raise answer
            if callable(answer):
                return answer(request)
            status, body = answer
            return httpx.Response(status, json=body)
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return httpx.Response(401, json={"error": True, "message": "Unauthorized"})
        if path.startswith("/followups/debt/"):
            debt_id = path.removeprefix("/followups/debt/")
            if debt_id not in self.debts:
                return None
            query = parse_qs(request.url.query.decode())
            return _page_answer(
                self.debts[debt_id],
                page=int(query.get("page", ["1"])[0]),
                limit=int(query.get("limit", ["100"])[0]),
            )
        if path == "/followups":
            return self.list_answer(request)
        if path.startswith("/debts/"):
            record = self.debt_records.get(path.removeprefix("/debts/"))
            if record is None:
                return None
            return httpx.Response(200, json={"error": False, "message": "Success", "data": record})
        if not path.startswith("/followups/"):
            return None
        followup_id = path.removeprefix("/followups/")
        data = self.followups.get(followup_id)
        if data is None and self.any_followup_fields is not None:
            fields = {
                name: value(followup_id) if callable(value) else value
                for name, value in self.any_followup_fields.items()
            }
            data = followup_json(**{**fields, "id": followup_id})
        if data is None:
            return None
        return httpx.Response(200, json={"error": False, "message": "Success", "data": data})


def _page_answer(items: list[dict[str, Any]], *, page: int, limit: int) -> httpx.Response:
    chunk = items[(page - 1) * limit : page * limit]
    pagination = {
        "total": len(items),
        "page": page,
        "limit": limit,
        "pages": math.ceil(len(items) / limit),
    }
    body = {"error": False, "message": "Success", "data": chunk, "pagination": pagination}
    return httpx.Response(200, json=body)


def error_answer(status: int, message: str = "", **extra: Any) -> tuple[int, dict[str, Any]]:
    """An error answer as GetBill sends them, for `FakeGetBill.answers`."""
    return status, {"error": True, "message": message, **extra}


@contextmanager
def fake_getbill_installed(settings: Any) -> Iterator[FakeGetBill]:
    """Point the client at a FakeGetBill for the block; `settings` is pytest-django's fixture
    (restored after the test)."""
    fake = FakeGetBill()
    settings.GETBILL_API_URL = API_URL
    settings.GETBILL_TOKEN_URL = TOKEN_URL
    settings.GETBILL_CLIENT_ID = "fake-client"
    settings.GETBILL_CLIENT_SECRET = "fake-client-secret"
    settings.GETBILL_MEDIA_HOSTS = getbill.media_hosts_parse(value=getbill.DEFAULT_MEDIA_HOSTS)
    with getbill.client_transport_override(httpx.MockTransport(fake.handle)):
        yield fake


class RecordingTransport(httpx.BaseTransport):
    """A real HTTP transport (for the loopback sandbox) that keeps what it was asked: every
    request in `requests`, and each page of a debt's followups in `debt_pages` as
    {"debt_id", "page", "limit"}. `answer_change(request, response)`, if given, may rewrite
    each answer (already read) on its way back."""

    def __init__(
        self,
        *,
        answer_change: Callable[[httpx.Request, httpx.Response], httpx.Response] | None = None,
    ) -> None:
        self._transport = httpx.HTTPTransport(trust_env=False)
        self._answer_change = answer_change
        self.requests: list[httpx.Request] = []
        self.debt_pages: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if "/followups/debt/" in path:
            query = parse_qs(request.url.query.decode())
            self.debt_pages.append(
                {
                    "debt_id": path.rsplit("/", 1)[-1],
                    "page": int(query["page"][0]),
                    "limit": int(query["limit"][0]),
                }
            )
        response = self._transport.handle_request(request)
        if self._answer_change is None:
            return response
        response.read()
        return self._answer_change(request, response)

    def close(self) -> None:
        self._transport.close()


@contextmanager
def recording_transport_installed(
    **kwargs: Any,
) -> Iterator[RecordingTransport]:
    """Send the client's requests through a RecordingTransport for the block."""
    transport = RecordingTransport(**kwargs)
    with getbill.client_transport_override(transport):
        yield transport
