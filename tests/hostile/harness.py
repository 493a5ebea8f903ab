"""What each hostile example checks: the pages visited, their status, the audit trail, and
that no secret or raw GetBill text got out."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.test import Client

from dashboard.logging import SecretsRedactFilter
from dashboard.middleware import TIME_ZONE_COOKIE
from followups.models import AuditEntry
from tests.hostile.answers import CONTACT_DETAILS, MARKUP_MARK, SECRETS, Scenario
from tests.hostile.server import MEDIA_PATH, HostileServer, Script

# The statuses the README documents for pages and fragments; anything else (a 500 above all)
# is a failure.
DOCUMENTED_STATUSES = frozenset({200, 400, 403, 404, 429, 502, 503, 504})
# Characters GetBill's text must never bring into a page: C0 and C1 controls (tab and line
# breaks are the page's own), and the bidirectional embeddings, overrides and isolates that
# can make one field's text reorder what is shown around it.
_FORBIDDEN_IN_PAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class LogCapture(logging.Handler):
    """Log lines as the project's handlers write them: through the same redaction filter."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(SecretsRedactFilter())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Visit:
    name: str
    path: str
    status: int
    upstream_requests: int
    audit_entries: int


@dataclass
class Harness:
    """Runs one example: serves its scenario and visits pages, checking each answer."""

    server: HostileServer
    # A signed-in test client per role ("manager", "qa"); `client` is the scenario's.
    clients: dict[str, Client]
    logs: LogCapture
    client: Client = field(init=False)
    visits: list[Visit] = field(default_factory=list)

    def start(self, scenario: Scenario) -> Script:
        cache.clear()
        self.client = self.clients[scenario.role]
        self.client.cookies[TIME_ZONE_COOKIE] = scenario.zone
        self.logs.lines.clear()
        self.visits.clear()
        self.server.script = Script(
            token=list(scenario.token),
            followup=list(scenario.followup),
            debt_pages=list(scenario.debt_pages),
            debt_record=list(scenario.debt_record),
            followups_list=list(scenario.followups_list),
        )
        return self.server.script

    def visit(
        self,
        name: str,
        path: str,
        *,
        htmx: bool = False,
        target: str | None = None,
        post: bool = False,
        statuses: frozenset[int] = DOCUMENTED_STATUSES,
        lookup: bool = True,
    ) -> Any:
        script = self.server.script
        audit_before = AuditEntry.objects.count()
        upstream_before = script.upstream_count()
        received_before = script.received_count()
        log_before = len(self.logs.lines)
        headers = {"HX-Request": "true"} if htmx or target else {}
        if target:
            headers["HX-Target"] = target
        send = self.client.post if post else self.client.get
        response = send(path, headers=headers)
        upstream = script.upstream_count() - upstream_before
        audited = AuditEntry.objects.count() - audit_before
        self.visits.append(Visit(name, path, response.status_code, upstream, audited))
        # Set by the test client when the view raised (raise_request_exception=False).
        exc_info = getattr(response, "exc_info", None)
        if response.status_code == 500 and exc_info:
            # The app's own exception, so that each distinct fault is reported on its own.
            raise AssertionError(f"{name}: 500") from exc_info[1]
        assert response.status_code in statuses, f"{name}: status {response.status_code}"
        if lookup and upstream:
            # At least one entry per thing GetBill was asked for (a detail page asks for the
            # followup and its debt); what came from the shared cache is audited too.
            resources = script.resources_asked(since=received_before)
            assert audited >= max(resources, 1), (
                f"{name}: {upstream} GetBill requests for {resources} resources, "
                f"{audited} audit entries"
            )
        self._secrets_check(name, response, self.logs.lines[log_before:])
        return response

    def _secrets_check(self, name: str, response: Any, log_lines: list[str]) -> None:
        body = response.content.decode("utf-8")
        # The player and the letter link carry the signed link itself: that is their job.
        media = re.escape(self.server.origin + MEDIA_PATH)
        shown = re.sub(rf'(?:src|href)="{media}[^"]*"', "", body)
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        logs = "\n".join(log_lines)
        for secret in SECRETS:
            assert secret not in shown, f"{name}: a secret in the page"
            assert secret not in headers, f"{name}: a secret in the headers"
            assert secret not in logs, f"{name}: a secret in the logs"
        for detail, contact in CONTACT_DETAILS.items():
            assert contact not in body, f"{name}: the debtor's {detail} in the page"
            assert contact not in headers, f"{name}: the debtor's {detail} in the headers"
            assert contact not in logs, f"{name}: the debtor's {detail} in the logs"
        assert MARKUP_MARK not in body, f"{name}: GetBill's markup in the page"
        control = _FORBIDDEN_IN_PAGE.search(body)
        assert control is None, f"{name}: control character {control and control.group()!r}"
        retry_after = response.get("Retry-After")
        if retry_after is not None:
            assert re.fullmatch(r"[0-9]{1,6}", retry_after), f"{name}: Retry-After {retry_after!r}"
