"""GetBill faked at the transport: an `httpx.MockTransport` handler installed through the client
package's public seam (`getbill.client_transport_override`), so everything above the transport
(sign-in, retries, status mapping, parsing) runs as in production.

It answers only what a test told it to: the token endpoint, the followups in `followups`, the
debts in `debts`, and canned `answers`; any other request fails the test.
"""

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from followups import getbill
from tests.support.examples import followup_json

ORIGIN = "https://getbill.test"
API_URL = f"{ORIGIN}/external-api/v1"
TOKEN_URL = f"{ORIGIN}/token"
ACCESS_TOKEN = "fake-access-token-0123456789"


class UnexpectedRequestError(AssertionError):
    """GetBill was asked something the test did not expect."""


@dataclass
class FakeGetBill:
    """What GetBill knows, and every request it received (`requests`, token requests aside)."""

    followups: dict[str, dict[str, Any]] = field(default_factory=dict)
    debts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # API path (after the base URL, without query) -> (status, JSON body), for faults.
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    # Sent with every API answer, e.g. X-RateLimit-* quota headers.
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    unexpected: list[httpx.Request] = field(default_factory=list)

    def followup_add(self, **fields: Any) -> dict[str, Any]:
        """A followup like the documented example, with `fields` changed; returns its JSON."""
        data = followup_json(**fields)
        self.followups[data["id"]] = data
        return data

    def api_requests(self, path: str = "") -> list[httpx.Request]:
        prefix = API_URL + path
        return [r for r in self.requests if str(r.url).startswith(prefix)]

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(query=None))
        if request.method == "POST" and url == TOKEN_URL:
            body = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}
            return httpx.Response(200, json=body)
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
            status, body = self.answers[path]
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
        followup_id = path.removeprefix("/followups/")
        if followup_id in self.followups:
            body = {"error": False, "message": "Success", "data": self.followups[followup_id]}
            return httpx.Response(200, json=body)
        return None


def _page_answer(items: list[dict[str, Any]], *, page: int, limit: int) -> httpx.Response:
    chunk = items[(page - 1) * limit : page * limit]
    pagination = {
        "total": len(items),
        "page": page,
        "limit": limit,
        "pages": math.ceil(len(items) / limit),
    }
    body = {"error": False, "message": "Success", "data": chunk, "pagination": pagination}
    return httpx.Response(
        200, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )


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
