"""The sandbox's data set and media files: what the issue promises, checked offline."""

import re
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES
from sandbox import data
from sandbox.data import (
    EXAMPLES,
    FAULT_IDS,
    FOLLOWUP_MEDIA,
    MEDIA_DIR,
    MEDIA_OBJECTS,
    SANDBOX_FOLLOWUPS,
)

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
ALL_FIELDS = {
    "id", "debt_id", "status", "type", "call_date", "scheduled_at", "summary", "notes",
    "call_id", "audio_url", "pdf_url", "duration_ms", "disconnection_reason", "direction",
    "phone_number_used", "is_retry", "processed_at", "triggered_payment", "email_opened",
    "email_open_count", "email_first_opened_at", "email_clicked", "email_click_count",
}  # fmt: skip
TIME_FIELDS = ("call_date", "scheduled_at", "processed_at", "email_first_opened_at")


def by_id(followup_id: str) -> dict[str, Any]:
    record = data.followup_find(followup_id=followup_id)
    assert record is not None
    return record


def hand_written() -> list[dict[str, Any]]:
    return [r for r in SANDBOX_FOLLOWUPS if r["debt_id"] != EXAMPLES["big_debt"]]


def test_size_and_spread():
    records = hand_written()
    assert len(records) >= 60
    assert len({r["debt_id"] for r in records}) >= 12
    big = data.debt_followups_find(debt_id=EXAMPLES["big_debt"])
    assert big is not None
    assert len(big) > 100
    assert data.debt_followups_find(debt_id=EXAMPLES["debt_no_followups"]) == []


def test_every_documented_status_and_type_and_more():
    records = hand_written()
    statuses = {r.get("status") for r in records}
    types = {r.get("type") for r in records}
    assert set(FOLLOWUP_STATUSES) <= statuses
    assert len(FOLLOWUP_STATUSES) == 12
    assert set(FOLLOWUP_TYPES) <= types
    assert statuses - set(FOLLOWUP_STATUSES), "no status beyond the documented ones"
    assert types - set(FOLLOWUP_TYPES), "no type beyond the documented ones"
    for value in (*FOLLOWUP_STATUSES, *FOLLOWUP_TYPES):
        field = "status" if value in FOLLOWUP_STATUSES else "type"
        assert by_id(EXAMPLES[f"{field}_{value}"])[field] == value


def test_ids_look_like_getbill_encrypted_ids_and_are_unique():
    ids = [r["id"] for r in SANDBOX_FOLLOWUPS]
    assert len(ids) == len(set(ids))
    for record in SANDBOX_FOLLOWUPS:
        for field in ("id", "debt_id"):
            assert ID_RE.fullmatch(record[field]), record[field]
            assert len(record[field]) >= 24
    for fault_id in FAULT_IDS.values():
        assert ID_RE.fullmatch(fault_id)
        assert fault_id not in data.FOLLOWUPS_BY_ID


def test_records_have_the_api_shape_and_iso_times():
    for record in SANDBOX_FOLLOWUPS:
        assert set(record) <= ALL_FIELDS
        for field in TIME_FIELDS:
            value = record.get(field)
            if value is not None:
                assert value.endswith("+00:00")
                assert datetime.fromisoformat(value).utcoffset() is not None
        # The API signs media URLs per request; the stored records never hold one.
        assert record.get("audio_url") is None
        assert record.get("pdf_url") is None


def test_newest_first():
    dated = [r.get("call_date") or r.get("scheduled_at") for r in SANDBOX_FOLLOWUPS]
    present = [d for d in dated if d]
    assert present == sorted(present, reverse=True)
    assert dated[-1] is None  # the record without any date comes last


def test_named_examples():
    assert by_id(EXAMPLES["call_deal_found"])["status"] == "deal_found"
    assert FOLLOWUP_MEDIA[EXAMPLES["call_deal_found"]].keys() == {"audio_url"}
    assert FOLLOWUP_MEDIA[EXAMPLES["postmail_pdf"]].keys() == {"pdf_url"}
    assert by_id(EXAMPLES["email_many_opens"])["email_open_count"] >= 10
    assert by_id(EXAMPLES["email_no_opens"])["email_open_count"] == 0
    assert "<script>" in by_id(EXAMPLES["hostile_notes"])["notes"]
    assert len(by_id(EXAMPLES["long_notes"])["notes"]) > 1500
    assert by_id(EXAMPLES["inbound_call"])["direction"] == "inbound"
    assert by_id(EXAMPLES["retry"])["is_retry"] is True
    assert set(by_id(EXAMPLES["missing_optional"])) == {"id", "debt_id", "status", "type"}
    odd = by_id(EXAMPLES["unknown_enums"])
    assert (odd["status"], odd["type"], odd["direction"], odd["disconnection_reason"]) == (
        "escalated_legal",
        "carrier_pigeon",
        "transfer",
        "voicemail_detected",
    )


def test_variety_the_pages_must_cope_with():
    records = hand_written()
    assert {"inbound", "outbound"} <= {r.get("direction") for r in records}
    assert any(r.get("is_retry") for r in records)
    opens = Counter(r.get("email_open_count") for r in records if r.get("type") == "email")
    assert 0 in opens
    assert max(k for k in opens if k is not None) >= 10
    assert any(r.get("email_click_count") for r in records)
    assert any("email_open_count" not in r and "call_date" in r for r in records)
    text = " ".join(str(r.get("summary")) + str(r.get("notes")) for r in records)
    for name in ("Amélie", "Müller", "Wąsowska", "Łukasz", "Żuławski"):
        assert name in text


def test_media_objects_exist():
    for filename in set(MEDIA_OBJECTS.values()):
        assert (MEDIA_DIR / filename).is_file(), filename
    for media in FOLLOWUP_MEDIA.values():
        for object_key in media.values():
            assert object_key in MEDIA_OBJECTS


@pytest.mark.parametrize(
    "filename", sorted({f for f in MEDIA_OBJECTS.values() if f.endswith(".pdf")})
)
def test_letters_are_valid_pdfs(filename: str):
    body = (MEDIA_DIR / filename).read_bytes()
    assert body.startswith(b"%PDF-1.")
    assert body.rstrip().endswith(b"%%EOF")
    assert len(body) < 10 * 1024
    startxref = int(body.rsplit(b"startxref", 1)[1].split()[0])
    assert body[startxref:].startswith(b"xref")
    xref_lines = body[startxref:].split(b"\n")
    count = int(xref_lines[1].split()[1])
    for number, line in enumerate(xref_lines[3 : 2 + count], start=1):
        offset = int(line.split()[0])
        assert body[offset:].startswith(b"%d 0 obj" % number)
    length_match = re.search(rb"/Length (\d+)", body)
    assert length_match is not None
    length = int(length_match.group(1))
    stream_start = body.index(b"stream\n") + len(b"stream\n")
    assert body[stream_start + length :].startswith(b"endstream")


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CALENDAR_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})|(?:{_MONTHS}) \d{{1,2}}\b)", re.IGNORECASE
)


def test_texts_name_no_calendar_date_the_relative_dates_would_contradict():
    # The records' dates are relative to when the process started: a day and month written
    # in a note would soon disagree with them.
    for record in SANDBOX_FOLLOWUPS:
        for field in ("summary", "notes"):
            text = record.get(field) or ""
            assert not _CALENDAR_DATE.search(text), (record["id"], text)
