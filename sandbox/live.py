"""The live sandbox: GetBill's calls coming in while the dashboard is open.

Every SANDBOX_LIVE_SECONDS it makes a new call from one of its recordings (in turn) on the
debt that recording belongs to, and tells the dashboard as GetBill would: `followup.created`
as the call starts, `followup.completed` (with its recording's signed link) once it ended,
each POSTed to the dashboard's webhook, signed with GETBILL_WEBHOOK_SECRET (hex HMAC-SHA256 of
the raw body, in `X-GetBill-Signature`).

Its calls are kept in the shared cache, not in this process: the sandbox's API answers from
every process the server runs (gunicorn's workers, a restarted `runserver`), and all of them
list, serve and sign the same calls. One thread writes them, started by `runserver` in the
process that serves (`LiveSandbox`); it stops with the server, or after SANDBOX_LIVE_MAX_CALLS
calls, the most the cache keeps.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from sandbox.data import (
    FOLLOWUP_MEDIA,
    MEDIA_OBJECTS,
    RECORDINGS,
    SANDBOX_FOLLOWUPS,
    encrypted_id,
)

logger = logging.getLogger(__name__)

_STATE_KEY = "sandbox:live"
SIGNATURE_HEADER = "X-GetBill-Signature"
# How long the dashboard has to answer a delivery (GetBill gives it 10 seconds).
_DELIVERY_SECONDS = 10.0
# A call lasts its recording, but the live sandbox reports it ended within this at most.
_CALL_SECONDS_MAX = 60.0


def _recorded_calls() -> dict[str, dict[str, Any]]:
    """Each recording (file name) with the sandbox call it belongs to: what a live call with
    that recording copies."""
    calls: dict[str, dict[str, Any]] = {}
    for record in SANDBOX_FOLLOWUPS:
        key = FOLLOWUP_MEDIA.get(record["id"], {}).get("audio_url")
        if key is not None and record.get("debt_id") and MEDIA_OBJECTS[key] in RECORDINGS:
            calls.setdefault(MEDIA_OBJECTS[key], record)
    return dict(sorted(calls.items()))


RECORDED_CALLS = _recorded_calls()
_RECORDING_FILES = list(RECORDED_CALLS)


@dataclass
class LiveState:
    """The live calls (newest first) and their recordings' media keys."""

    made: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)
    # followup ID -> the recording (file) its call has, once ended
    recordings: dict[str, str] = field(default_factory=dict)
    # followup ID -> {"audio_url": media object key}; media object key -> file
    media: dict[str, dict[str, str]] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)


def live_state() -> LiveState:
    """The live calls as every process sees them; none while the live sandbox is off."""
    if not getattr(settings, "SANDBOX_LIVE", False):
        return LiveState()
    value = cache.get(_STATE_KEY)
    return value if isinstance(value, LiveState) else LiveState()


def live_followups() -> list[dict[str, Any]]:
    return live_state().records


def live_followup_find(*, followup_id: str) -> dict[str, Any] | None:
    return next((r for r in live_followups() if r["id"] == followup_id), None)


def live_media(*, followup_id: str) -> dict[str, str] | None:
    return live_state().media.get(followup_id)


def live_media_object(*, object_key: str) -> str | None:
    return live_state().objects.get(object_key)


def live_state_reset() -> None:
    cache.delete(_STATE_KEY)


def _state_save(state: LiveState) -> None:
    limit = settings.SANDBOX_LIVE_MAX_CALLS
    kept = state.records[:limit]
    kept_ids = {record["id"] for record in kept}
    state.records = kept
    state.recordings = {i: f for i, f in state.recordings.items() if i in kept_ids}
    state.media = {i: m for i, m in state.media.items() if i in kept_ids}
    state.objects = {
        key: file
        for key, file in state.objects.items()
        if any(key in media.values() for media in state.media.values())
    }
    cache.set(_STATE_KEY, state, timeout=None)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def live_call_start(*, now: datetime) -> dict[str, Any]:
    """A new call, in progress since `now`, on the debt of the next recording in turn."""
    state = live_state()
    file = _RECORDING_FILES[state.made % len(_RECORDING_FILES)]
    base = RECORDED_CALLS[file]
    label = f"live/{now.timestamp()}/{state.made}"
    record = {
        **base,
        "id": encrypted_id(label=f"followup/{label}", length=26),
        "call_id": "call_" + hashlib.sha256(label.encode()).hexdigest()[:24],
        "status": "in_progress",
        "call_date": _iso(now),
        "scheduled_at": _iso(now),
        "processed_at": None,
        "summary": None,
        "notes": None,
        "audio_url": None,
        "pdf_url": None,
        "duration_ms": None,
        "is_retry": False,
        "triggered_payment": False,
    }
    state.made += 1
    state.records.insert(0, record)
    state.recordings[record["id"]] = file
    _state_save(state)
    return record


def live_call_complete(*, followup_id: str, now: datetime) -> dict[str, Any] | None:
    """The call ended at `now` as the one it copies did: status, summary, notes, recording."""
    state = live_state()
    record = next((r for r in state.records if r["id"] == followup_id), None)
    if record is None:
        return None
    file = state.recordings[followup_id]
    base = RECORDED_CALLS[file]
    key = f"recordings/{record['call_id']}.mp3"
    record.update(
        status=base["status"],
        summary=base.get("summary"),
        notes=base.get("notes"),
        duration_ms=RECORDINGS[file].duration_ms,
        processed_at=_iso(now),
    )
    state.media[followup_id] = {"audio_url": key}
    state.objects[key] = file
    _state_save(state)
    return record


def event_body(*, event_type: str, data: dict[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "data": data}).encode()


def event_signature(*, body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_send(*, client: httpx.Client, url: str, event_type: str, data: dict[str, Any]) -> int:
    """POST the signed event to the dashboard's webhook; the status it answered (0 when it
    could not be reached: the live sandbox goes on with the next call)."""
    body = event_body(event_type=event_type, data=data)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: event_signature(body=body, secret=settings.GETBILL_WEBHOOK_SECRET),
    }
    try:
        status = client.post(url, content=body, headers=headers).status_code
    except httpx.HTTPError as error:
        logger.warning("Live sandbox: the dashboard's webhook did not answer (%s)", error)
        return 0
    if status >= 300:
        logger.warning("Live sandbox: the webhook answered %s to %s", status, event_type)
    return status


class LiveSandbox:
    """The thread that makes the live calls. `present` turns a record into what the API
    sends (signed media links for the dashboard's origin)."""

    def __init__(
        self,
        *,
        origin: str,
        present: Callable[[dict[str, Any]], dict[str, Any]],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = origin + reverse("webhooks:getbill")
        self._present = present
        self._client = httpx.Client(
            transport=transport, timeout=_DELIVERY_SECONDS, follow_redirects=False
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="sandbox-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, seconds: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=seconds)
        self._client.close()

    def join(self, *, seconds: float) -> None:
        self._thread.join(timeout=seconds)

    def call_once(self) -> dict[str, Any] | None:
        """One call: started, told, ended after its recording's length (or sooner when the
        server stops), told; the call as completed."""
        record = live_call_start(now=datetime.now(UTC))
        event_send(
            client=self._client,
            url=self.url,
            event_type="followup.created",
            data=self._present(record),
        )
        interval = float(settings.SANDBOX_LIVE_SECONDS)
        seconds = RECORDINGS[live_state().recordings[record["id"]]].duration_ms / 1000
        self._stop.wait(min(seconds, _CALL_SECONDS_MAX, interval / 2))
        completed = live_call_complete(followup_id=record["id"], now=datetime.now(UTC))
        if completed is None:
            return None
        event_send(
            client=self._client,
            url=self.url,
            event_type="followup.completed",
            data=self._present(completed),
        )
        return completed

    def run(self) -> None:
        interval = float(settings.SANDBOX_LIVE_SECONDS)
        for _ in itertools.repeat(None, settings.SANDBOX_LIVE_MAX_CALLS):
            if self._stop.wait(interval):
                return
            try:
                self.call_once()
            except Exception:
                # The sandbox's own fault: logged, and the server goes on without live calls.
                logger.exception("Live sandbox stopped")
                return
        logger.info("Live sandbox: %s calls made, no more", settings.SANDBOX_LIVE_MAX_CALLS)


def live_sandbox_start(
    *, origin: str, present: Callable[[dict[str, Any]], dict[str, Any]]
) -> LiveSandbox | None:
    """Start the live calls when SANDBOX_LIVE is on and the dashboard has a webhook secret."""
    if not getattr(settings, "SANDBOX_LIVE", False):
        return None
    if not settings.GETBILL_WEBHOOK_SECRET:
        logger.warning("Live sandbox off: GETBILL_WEBHOOK_SECRET is not set")
        return None
    live = LiveSandbox(origin=origin, present=present)
    live.start()
    return live
