"""Quota benchmark: how many requests to GetBill a team's work on the dashboard costs.

The whole company shares one GetBill client allowed 1,000 reads an hour, so that quota, not the
server, decides how many people can use the dashboard at once. This script drives the app's
pages through Django's test client, the way a browser does (each detail page also loads its
side panel), against the embedded sandbox served on a loopback port, and counts the requests
that reach the sandbox's API: nothing is estimated. It prints figures and asserts nothing.

Scenarios:
- The QA session of issue 13: open a call, reload twice, back to search and open it again,
  open a second followup (the next call of the same debt, from the side panel; also shown with
  one of another debt), back to the first, the player's load of the recording, the debt's page.
- A QA reviewer's hour: through a queue of calls (every call of the sandbox's ordinary debts,
  debt by debt), for each one: open, listen (the player loads the recording's stable address and
  reports the play), reload, back to search, next. Per reviewer-hour is the average per call times
  CALLS_PER_REVIEWER_HOUR. The reviewer does not ask for the debt card, which a QA reviewer's
  detail page shows at once only when a fresh copy is kept (issue 13's model of the session);
  the same hour is also shown with "Show the debt" clicked on every call that offers it, the
  cost for a team that always wants the card.
- A manager's debt review: the debt's page, filtered by type then by status (htmx swaps of the
  results), then stepping through each of its followups (page and side panel).
- A manager stepping quickly through a long debt, with the per-user limits as configured: which
  page, if any, is refused.
- The periodic read of the newest calls (`manage.py calls_poll`) over a simulated hour, its
  timer ticking every minute: without webhooks, and with GetBill delivering a followup's event
  every few minutes (the read slows down by itself). Its requests are counted at the sandbox.
- A team of 40 reviewers' hour with webhooks on, against today's: the reviewer's hour again,
  each call's `followup.completed` event (a signed delivery of the sandbox's followup, links
  and all) received WEBHOOK_LAG_MINUTES before the reviewer opens it (the live queue shows new
  calls as they come). The event keeps the followup (its kept copy then ages like any other)
  and drops its debt's kept pages (the side panel asks again). The team's hour adds the
  periodic read's cost once, for the whole deployment.

The scenarios run in seconds, not hours, so the reviewer's hour keeps a simulated clock: each
call takes MINUTES_PER_CALL, and every answer the sandbox sent is dropped from the shared cache
once GETBILL_CACHE_SECONDS of simulated time have passed since (its media links' expiry never
comes into it: they live an hour). Reviewers are assumed to share nothing, however often they
open the same calls: the team figure divides the hourly quota by one reviewer's cost. The
per-user limits are lifted where minutes are compressed into seconds, and kept as configured in
the last scenario, which is about them.

Run with `.venv/bin/python bench/quota.py`.
"""

import contextlib
import hashlib
import hmac
import html
import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import django_ready

django_ready(DJANGO_LOG_LEVEL="ERROR")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import Client  # noqa: E402

from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS  # noqa: E402
from sandbox.origin import sandbox_origin_set  # noqa: E402
from sandbox.serve import sandbox_serve_in_thread  # noqa: E402
from sandbox.state import sandbox_state_reset  # noqa: E402

HOURLY_QUOTA = 1000
# A QA reviewer listens to a whole call (three to five minutes), writes comments and fills in
# the scorecard: about six minutes a call, ten calls an hour.
MINUTES_PER_CALL = 6
CALLS_PER_REVIEWER_HOUR = 60 // MINUTES_PER_CALL
# A manager going through a debt quickly: followups opened one after the other.
QUICK_STEPS = 40
# Debts this long are the sandbox's paging test, not a reviewer's usual queue.
ORDINARY_DEBT_MAX = 20
CALL_TYPES = ("call", "manual_call")
# The team whose hour is shown with webhooks on, and how long after a call ends (its event)
# a reviewer opens it from the live queue.
TEAM = 40
WEBHOOK_LAG_MINUTES = (5, 30)
WEBHOOK_SECRET = "bench-webhook-secret"  # noqa: S105 - signs the bench's own deliveries
# With webhooks on, GetBill sends a followup's event about this often (any call of the company).
WEBHOOK_EVERY_MINUTES = 2
# Per-user limits, before and after issue 13: lifted where minutes are compressed into seconds.
PER_USER_LIMIT_SETTINGS = ("DASHBOARD_GETBILL_REQUESTS_PER_HOUR",)
_PANEL_URL = re.compile(r'hx-get="([^"]+)"\s+hx-trigger="load"')
# "Show the debt": the debt card loaded in place, on a QA reviewer's detail page.
_CARD_URL = re.compile(r'<a [^>]*hx-get="([^"]+)"[^>]*data-debt-card-show')


# --- Counting at the sandbox ------------------------------------------------------------------


class _CountingApp:
    """The project's WSGI app, counting the requests that reach the sandbox's endpoints."""

    def __init__(self) -> None:
        self._app = WSGIHandler()
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        # Every API request's path and query, in order.
        self.api_requests: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/sandbox/external-api/"):
            kind = "api"
        elif path.startswith("/sandbox/token"):
            kind = "token"
        else:
            kind = "other"
        with self._lock:
            self.counts[kind] += 1
            if kind == "api":
                self.api_requests.append((path, environ.get("QUERY_STRING", "")))
        return self._app(environ, start_response)

    @property
    def api(self) -> int:
        with self._lock:
            return self.counts["api"]


@contextlib.contextmanager
def counted_sandbox() -> Iterator[_CountingApp]:
    app = _CountingApp()
    origin, stop = sandbox_serve_in_thread(app=app)
    sandbox_origin_set(origin=origin)
    try:
        yield app
    finally:
        stop()


# --- A person in a browser --------------------------------------------------------------------


@dataclass
class Person:
    """One signed-in browser: pages, with the side panel htmx loads after each detail page."""

    client: Client
    # Detail pages opened, and those refused (page or panel) by a per-user limit.
    opened: int = 0
    refused: int = 0
    first_refused: int | None = None

    def _get(self, url: str, **headers: str) -> Any:
        return self.client.get(url, secure=True, headers=headers)

    def search(self) -> None:
        self._get("/")

    def open(self, followup_id: str, *, show_debt: bool = False) -> None:
        """The detail page, then its side panel (hx-trigger="load"); with `show_debt`, a click
        on "Show the debt" when the page offers it."""
        self.opened += 1
        statuses = [(response := self._get(f"/followups/{followup_id}/")).status_code]
        body = response.content.decode()
        card = _CARD_URL.search(body) if show_debt else None
        if card:
            shown = self._get(
                html.unescape(card.group(1)), **{"HX-Request": "true", "HX-Target": "debt-card"}
            )
            statuses.append(shown.status_code)
            if 'data-error-status="429"' in shown.content.decode():
                statuses.append(429)
        match = _PANEL_URL.search(body)
        if match:
            panel = self._get(html.unescape(match.group(1)), **{"HX-Request": "true"})
            statuses.append(panel.status_code)
            # The panel answers 200 with the error's status in the fragment.
            if 'data-error-status="429"' in panel.content.decode():
                statuses.append(429)
        if 429 in statuses:
            self.refused += 1
            self.first_refused = self.first_refused or self.opened

    def step_through(self, followup_ids: Iterable[str]) -> None:
        for followup_id in followup_ids:
            self.open(followup_id)

    def listen(self, followup_id: str) -> None:
        self.client.post(f"/followups/{followup_id}/recording/played/", secure=True)

    def recording_load(self, followup_id: str) -> None:
        """The player loading the recording's stable address: a redirect to a signed link from
        the kept answer, or from GetBill when no fresh copy is kept (its links about to die)."""
        self._get(f"/followups/{followup_id}/recording/audio")

    def debt_page(self, debt_id: str, **filters: str) -> None:
        query = "&".join(f"{name}={value}" for name, value in filters.items())
        url = f"/debts/{debt_id}/followups/" + (f"?{query}" if query else "")
        if filters:
            self._get(url, **{"HX-Request": "true", "HX-Target": "debt-results"})
        else:
            self._get(url)


def person_make(*, name: str, group: str) -> Person:
    user = get_user_model().objects.create_user(username=name, password=None)
    user.groups.set([Group.objects.get(name=group)])
    client = Client()
    client.force_login(user)
    return Person(client=client)


# --- Scenarios ----------------------------------------------------------------------------------


def _debt_of(followup_id: str) -> str:
    return next(str(f["debt_id"]) for f in SANDBOX_FOLLOWUPS if f["id"] == followup_id)


def _debt_followups(debt_id: str) -> list[str]:
    return [str(f["id"]) for f in SANDBOX_FOLLOWUPS if f["debt_id"] == debt_id]


def _debt_calls(debt_id: str) -> list[str]:
    return [
        str(f["id"])
        for f in SANDBOX_FOLLOWUPS
        if f["debt_id"] == debt_id and f.get("type") in CALL_TYPES
    ]


def fresh_start() -> None:
    """Nothing cached, a fresh sandbox quota: every scenario starts cold."""
    cache.clear()
    sandbox_state_reset()


def measured(counter: _CountingApp, scenario: Callable[[], None]) -> int:
    before = counter.api
    scenario()
    return counter.api - before


def qa_session(person: Person, *, first: str, second: str) -> None:
    """Issue 13's typical QA session."""
    person.open(first)
    person.open(first)  # reload
    person.open(first)  # reload
    person.search()  # back to search...
    person.open(first)  # ...and open it again
    person.open(second)
    person.open(first)  # back to the first
    person.recording_load(first)
    person.debt_page(_debt_of(first))


class SimulatedClock:
    """Minutes of work compressed into seconds: drops each kept answer from the shared cache
    once GETBILL_CACHE_SECONDS of simulated time have passed since GetBill sent it.

    What GetBill sent, and when, is read from the requests the sandbox received; a debt's page
    also renews its followups (the cache keeps them under their own IDs). Without the cache of
    answers (before issue 13) there is nothing to drop.
    """

    def __init__(self, counter: _CountingApp) -> None:
        self.minutes = 0.0
        self._counter = counter
        self._seen = len(counter.api_requests)
        self._fresh_minutes = getattr(settings, "GETBILL_CACHE_SECONDS", 0) / 60
        # Answer keys -> simulated minute GetBill sent them.
        self._sent: dict[tuple[str, tuple[str | int, ...]], float] = {}

    def advance(self, minutes: float) -> None:
        self._note_requests()
        self.minutes += minutes
        self._aged_forget()

    def _aged_forget(self) -> None:
        if not self._fresh_minutes:
            return
        aged = [k for k, at in self._sent.items() if self.minutes - at >= self._fresh_minutes]
        _answers_forget(aged)
        for key in aged:
            del self._sent[key]

    def note_told(self, key: tuple[str, tuple[str | int, ...]], *, minutes_ago: float) -> None:
        """An answer kept without asking GetBill (a webhook's followup), told `minutes_ago`."""
        self._note_requests()
        self._sent[key] = self.minutes - minutes_ago
        self._aged_forget()

    def _note_requests(self) -> None:
        for path, query in self._counter.api_requests[self._seen :]:
            if path.startswith("/sandbox/external-api/v1/debts/"):
                # The debt card's answer (issue 15).
                debt_id = path.removeprefix("/sandbox/external-api/v1/debts/")
                self._sent[("debt", (debt_id,))] = self.minutes
                continue
            if not path.startswith("/sandbox/external-api/v1/followups/"):
                continue  # the followups list: no scenario here browses it
            resource = path.removeprefix("/sandbox/external-api/v1/followups/")
            if resource.startswith("debt/"):
                debt_id = resource.removeprefix("debt/")
                params = dict(item.split("=", 1) for item in query.split("&") if "=" in item)
                page_key = (int(params.get("page", "1")), int(params.get("limit", "20")))
                self._sent[("debt-followups", (debt_id, *page_key))] = self.minutes
                for followup_id in _debt_followups(debt_id):
                    self._sent[("followup", (followup_id,))] = self.minutes
            else:
                self._sent[("followup", (resource,))] = self.minutes
        self._seen = len(self._counter.api_requests)


def _answers_forget(keys: Iterable[tuple[str, tuple[str | int, ...]]]) -> None:
    try:
        from followups.getbill import AnswerKey, config_get
    except ImportError:
        return  # no cache of answers: nothing kept to age
    prefix = config_get().cache_prefix
    cache.delete_many([AnswerKey(name, parts).cache_key(prefix=prefix) for name, parts in keys])


def review_queue() -> list[str]:
    """Every call of the ordinary debts, debt by debt, in the order the debts appear."""
    debts = list(dict.fromkeys(str(f["debt_id"]) for f in SANDBOX_FOLLOWUPS))
    return [
        call
        for debt in debts
        if len(_debt_followups(debt)) <= ORDINARY_DEBT_MAX
        for call in _debt_calls(debt)
    ]


def reviewer_calls(
    person: Person,
    queue: Iterable[str],
    *,
    counter: _CountingApp,
    show_debt: bool = False,
    before_open: Callable[[str, SimulatedClock], None] | None = None,
) -> None:
    clock = SimulatedClock(counter)
    for call in queue:
        if before_open is not None:
            before_open(call, clock)
        person.open(call, show_debt=show_debt)
        person.recording_load(call)
        person.listen(call)
        person.open(call)  # reload
        person.search()  # back
        clock.advance(MINUTES_PER_CALL)  # next


def manager_debt_review(person: Person, *, debt_id: str) -> None:
    person.debt_page(debt_id)
    person.debt_page(debt_id, type="call")
    person.debt_page(debt_id, type="call", status="deal_found")
    for followup_id in _debt_followups(debt_id):
        person.open(followup_id)


# --- Webhooks and the periodic read of the newest calls -----------------------------------------


def _signed_post(client: Client, event: dict[str, Any]) -> int:
    body = json.dumps(event).encode()
    signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        "/webhooks/getbill/",
        data=body,
        content_type="application/json",
        headers={"X-GetBill-Signature": signature},
        secure=True,
    )
    return int(response.status_code)


def completed_event_deliver(*, origin: str, minutes_ago: float) -> Callable[[str, Any], None]:
    """`before_open` for `reviewer_calls`: GetBill's `followup.completed` for the call, as the
    sandbox's API would present the followup (freshly signed links), delivered signed; the
    clock learns the followup was kept `minutes_ago`."""
    from sandbox.services import followup_present

    deliverer = Client()

    def deliver(call: str, clock: Any) -> None:
        record = next(f for f in SANDBOX_FOLLOWUPS if f["id"] == call)
        data = followup_present(record=record, absolute_uri=lambda path: origin + path)
        status = _signed_post(deliverer, {"type": "followup.completed", "data": data})
        assert status == 200, f"the webhook was refused ({status})"
        clock.note_told(("followup", (call,)), minutes_ago=minutes_ago)

    return deliver


def periodic_read_hour(counter: _CountingApp, *, webhooks: bool) -> tuple[int, int]:
    """The periodic read over a simulated hour, its timer asking every minute (as
    `calls_poll` does, more often than any interval); with `webhooks`, a followup's event
    delivered every WEBHOOK_EVERY_MINUTES. GetBill requests counted, and reads made."""
    from calls.services import calls_poll_once
    from webhooks.services import webhook_delivery_receive

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    before, reads = counter.api, 0
    for minute in range(60):
        now = start + timedelta(minutes=minute)
        if webhooks and minute % WEBHOOK_EVERY_MINUTES == 0:
            # A partial update: the kind of event that drops kept answers and asks nothing.
            body = json.dumps(
                {"type": "followup.updated", "data": {"id": f"bench{minute:04d}", "status": "x"}}
            ).encode()
            webhook_delivery_receive(body=body, now=now)
        reads += calls_poll_once(now=now) is not None
    return counter.api - before, reads


def webhooks_figures(counter: _CountingApp, *, today_per_hour: float, origin: str) -> None:
    from webhooks.models import WebhookDelivery

    minutes = settings.DASHBOARD_CALLS_POLL_MINUTES
    print(f"\nThe periodic read of the newest calls (DASHBOARD_CALLS_POLL_MINUTES={minutes})")
    fresh_start()
    WebhookDelivery.objects.all().delete()
    read_alone, reads = periodic_read_hour(counter, webhooks=False)
    print(f"{'  without webhooks, per hour':<56} {read_alone:6d} requests   ({reads} reads)")
    fresh_start()
    read_slowed, reads = periodic_read_hour(counter, webhooks=True)
    print(
        f"{'  with webhooks delivering, per hour':<56} {read_slowed:6d} requests   ({reads} reads)"
    )
    WebhookDelivery.objects.all().delete()

    queue = review_queue()
    print(
        f"\nA team of {TEAM} QA reviewers' hour, per reviewer-hour with the periodic read's "
        f"share ({HOURLY_QUOTA:,} an hour)"
    )
    rows = [
        ("today (no webhooks, no periodic read)", today_per_hour, 0),
        (f"no webhooks, periodic read every {minutes} min", today_per_hour, read_alone),
    ]
    settings.GETBILL_WEBHOOK_SECRET = WEBHOOK_SECRET
    for lag in WEBHOOK_LAG_MINUTES:
        fresh_start()
        live = person_make(name=f"qa-hour-webhooks-{lag}", group="QA reviewers")
        deliver = completed_event_deliver(origin=origin, minutes_ago=lag)
        before = counter.api
        reviewer_calls(live, queue, counter=counter, before_open=deliver)
        per_hour = (counter.api - before) / len(queue) * CALLS_PER_REVIEWER_HOUR
        rows.append((f"webhooks on, calls opened {lag} min after they end", per_hour, read_slowed))
    for label, per_hour, read in rows:
        team = per_hour * TEAM + read
        print(f"{'  ' + label:<56} {team / TEAM:6.1f} requests   (team {team:.0f})")
    settings.GETBILL_WEBHOOK_SECRET = ""
    WebhookDelivery.objects.all().delete()


def _team(per_hour: float) -> int:
    """The largest team of reviewers who each cost `per_hour` that fits in the hourly quota."""
    return int(HOURLY_QUOTA // per_hour) if per_hour else 0


@contextlib.contextmanager
def per_user_limits_lifted() -> Iterator[None]:
    saved = {
        name: getattr(settings, name) for name in PER_USER_LIMIT_SETTINGS if hasattr(settings, name)
    }
    for name in saved:
        setattr(settings, name, 10**9)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)


def main() -> None:
    # Refused pages are expected in the last scenario; their warnings would drown the figures.
    logging.disable(logging.WARNING)
    # The sandbox's own limit is the real one; nothing here comes near it.
    settings.SANDBOX_RATE_LIMIT = HOURLY_QUOTA
    with counted_sandbox() as counter:
        run(counter)


def run(counter: _CountingApp) -> None:
    today_per_hour = run_today(counter)
    webhooks_figures(counter, today_per_hour=today_per_hour, origin=settings.SANDBOX_ORIGIN)


def run_today(counter: _CountingApp) -> float:
    """The figures of the dashboard as people use it; a QA reviewer's hour, returned."""
    debt = EXAMPLES["debt_with_history"]
    first, second = _debt_calls(debt)[:2]
    other_debt_call = next(call for call in review_queue() if _debt_of(call) != debt)
    cache_seconds = getattr(settings, "GETBILL_CACHE_SECONDS", None)
    print(
        "GetBill requests counted at the sandbox's API (token requests not included); "
        f"GETBILL_CACHE_SECONDS={cache_seconds if cache_seconds is not None else 'n/a'}\n"
    )

    with per_user_limits_lifted():
        fresh_start()
        qa = person_make(name="qa-session", group="QA reviewers")
        same_debt = measured(counter, lambda: qa_session(qa, first=first, second=second))
        fresh_start()
        other = measured(counter, lambda: qa_session(qa, first=first, second=other_debt_call))
        print(f"{'QA session (second followup of the same debt)':<56} {same_debt:6d} requests")
        print(f"{'QA session (second followup of another debt)':<56} {other:6d} requests")

        fresh_start()
        queue = review_queue()
        reviewer = person_make(name="qa-hour", group="QA reviewers")
        total = measured(counter, lambda: reviewer_calls(reviewer, queue, counter=counter))
        per_call = total / len(queue)
        per_hour = per_call * CALLS_PER_REVIEWER_HOUR
        print(
            f"{'QA reviewer, per call':<56} {per_call:6.2f} requests"
            f"   ({total} over {len(queue)} calls)"
        )
        print(
            f"{f'QA reviewer, per hour ({CALLS_PER_REVIEWER_HOUR} calls)':<56}"
            f" {per_hour:6.1f} requests"
        )
        print(f"{'largest QA team in 1,000 requests an hour':<56} {_team(per_hour):6d} reviewers")
        reviewer_per_hour = per_hour

        # The honest other figure: a reviewer who opens the debt card on every call.
        fresh_start()
        curious = person_make(name="qa-hour-card", group="QA reviewers")
        total = measured(
            counter, lambda: reviewer_calls(curious, queue, counter=counter, show_debt=True)
        )
        per_hour = total / len(queue) * CALLS_PER_REVIEWER_HOUR
        print(
            f"{'  ...opening the debt card on every call, per hour':<56} {per_hour:6.1f} requests"
            f"   (largest team {_team(per_hour)} reviewers)"
        )

        fresh_start()
        manager = person_make(name="manager-review", group="Collections managers")
        review = measured(counter, lambda: manager_debt_review(manager, debt_id=debt))
        steps = len(_debt_followups(debt))
        print(
            f"{'manager: debt page, 2 filters, its ' + str(steps) + ' followups':<56}"
            f" {review:6d} requests"
        )

    fresh_start()
    quick = person_make(name="manager-quick", group="Collections managers")
    big_debt = _debt_followups(EXAMPLES["big_debt"])[:QUICK_STEPS]
    quick_requests = measured(counter, lambda: quick.step_through(big_debt))
    refused = (
        f"page {quick.first_refused} the first refused, {quick.refused} refused"
        if quick.refused
        else "none refused"
    )
    print(
        f"{f'manager stepping through {QUICK_STEPS} followups of a long debt':<56}"
        f" {quick_requests:6d} requests   ({refused})"
    )
    return reviewer_per_hour


if __name__ == "__main__":
    main()
