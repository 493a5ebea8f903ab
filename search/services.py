"""Searching every transcribed call by what was said: one function in front of each database's
own full-text index (PostgreSQL's tsvector with GIN, SQLite's FTS5), chosen by the connection.

A hit is a segment (a sentence, with its speaker and moment) holding every term; a call is
listed once, with its best-matching segment, calls newest first. The calls are counted up to
MAX_LISTED: a word said in most calls is then "more than 1,000" (and its first 1,000 calls
browsed) instead of every matching sentence read to count them. What a search costs is
measured by bench/search.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from followups import access
from followups.audit import audit_record
from followups.models import AuditAction, AuditOutcome
from search.indexing import TEXT_SEARCH_CONFIG
from search.models import (
    FTS_TABLE,
    POSITION_BITS,
    TRANSCRIPT_MASK,
    UNDATED_PERIOD,
    SegmentEntry,
    call_key_period,
    call_key_transcript_id,
)
from search.query import Term, fts5_match, terms_parse, terms_score, tsquery_raw
from trackers.models import TrackerResult
from transcripts import reading
from transcripts.masking import digits_mask
from transcripts.models import Transcript
from transcripts.speakers import speaker_label

PAGE_SIZE = 20
# The most calls a search lists (50 pages). The matching calls are read newest first and the
# reading stops there: a common word then costs a walk down the newest calls (on PostgreSQL the
# index of migration 0002, on SQLite FTS5's row IDs, migration 0003) rather than a pass over
# most of the 300,000 sentences.
MAX_LISTED = 1000
# The order calls are listed in: newest first, undated last.
NEWEST_FIRST = (F("called_at").desc(nulls_last=True), "-pk")


@dataclass(frozen=True)
class SearchFilters:
    call_type: str = ""
    call_status: str = ""
    called_from: date | None = None
    called_to: date | None = None
    tracker_id: int | None = None


@dataclass(frozen=True)
class SearchHit:
    followup_id: str
    called_at: datetime | None
    call_type: str
    call_status: str
    text: str  # the segment's words as this user may see them (digit runs masked)
    speaker: str  # "Agent", "Debtor" or ""
    second: int
    url: str  # the call's page, its recording at that moment


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int  # calls listed, at most MAX_LISTED
    page: int
    pages: int
    more: bool = False  # more calls than MAX_LISTED match: `total` is a lower bound


def transcripts_search(
    *, user: AbstractBaseUser, text: str, filters: SearchFilters, page: int = 1
) -> SearchResults:
    """The calls whose words match `text` (QueryError when it is no search), for a user who may
    listen to recordings; audited with the words searched (not what was found)."""
    if not reading.may_read(user=user):
        raise PermissionDenied
    terms = terms_parse(text)
    masked = not access.user_may(user=user, permissions=[access.PERM_VIEW_FULL_PHONE])
    audit_record(
        user=user,
        action=AuditAction.TRANSCRIPT_SEARCH,
        outcome=AuditOutcome.SHOWN,
        detail=" ".join(_term_words(term) for term in terms),
    )
    # The IDs of the matching calls, newest first, one more than listed (to know whether there
    # are more); a page's calls are then read alone.
    searched = _filtered(Transcript.objects.filter(status=Transcript.Status.DONE), filters)
    call_ids = _newest_matching(terms, masked=masked, calls=searched)
    paginator = Paginator(call_ids[:MAX_LISTED], PAGE_SIZE)
    shown = paginator.get_page(page)
    page_ids = list(shown)
    calls = Transcript.objects.only(
        "pk", "followup_id", "called_at", "call_type", "call_status", "segments"
    ).in_bulk(page_ids)
    best = _best_segments(terms, masked=masked, transcript_ids=page_ids)
    hits = [
        _hit(calls[pk], best[pk], masked=masked) for pk in page_ids if pk in best and pk in calls
    ]
    return SearchResults(
        hits=hits,
        total=paginator.count,
        page=shown.number,
        pages=paginator.num_pages,
        more=len(call_ids) > MAX_LISTED,
    )


def _term_words(term: Term) -> str:
    words = " ".join(term.words) + ("*" if term.prefix else "")
    return f'"{words}"' if len(term.words) > 1 else words


def _filtered(calls: QuerySet[Transcript], filters: SearchFilters) -> QuerySet[Transcript]:
    if filters.call_type:
        calls = calls.filter(call_type=filters.call_type)
    if filters.call_status:
        calls = calls.filter(call_status=filters.call_status)
    if filters.called_from:
        calls = calls.filter(called_at__gte=_day_start(filters.called_from))
    if filters.called_to:
        calls = calls.filter(called_at__lt=_day_start(filters.called_to, after=True))
    if filters.tracker_id is not None:
        found = TrackerResult.objects.filter(tracker_id=filters.tracker_id, found=True)
        calls = calls.filter(pk__in=found.values("transcript_id"))
    return calls


def _day_start(day: date, *, after: bool = False) -> datetime:
    if after:
        day = date.fromordinal(day.toordinal() + 1)
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Each database's index -------------------------------------------------------------------


def _newest_matching(
    terms: tuple[Term, ...], *, masked: bool, calls: QuerySet[Transcript]
) -> list[int]:
    """The IDs of `calls` with a segment holding every term, newest first, MAX_LISTED + 1 at
    most."""
    wanted = MAX_LISTED + 1
    if connection.vendor == "postgresql":
        matching = _pg_matches(terms, masked=masked).values("transcript_id")
        return list(
            calls.filter(pk__in=matching)
            .order_by(*NEWEST_FIRST)
            .values_list("pk", flat=True)[:wanted]
        )
    # SQLite: FTS5 gives the matching sentences newest call first (search.models: a row's ID
    # begins with its call's period), each checked against the filters as it comes, and the
    # reading stops once enough calls are listed. Within a period the IDs hold the calls'
    # order by ID, not by their exact time: the reading goes on to the end of the period where
    # it had enough (undated calls are in order by ID), then those read are put in exact order.
    listed: list[int] = []
    last_period: int | None = None
    with connection.cursor() as cursor:
        cursor.execute(*_sqlite_matching_call_keys(terms, masked=masked, calls=calls))
        for (key,) in cursor:  # fetched as they are read
            period = call_key_period(key)
            if len(listed) >= wanted and (period != last_period or period == UNDATED_PERIOD):
                break
            listed.append(call_key_transcript_id(key))
            last_period = period
    newest = Transcript.objects.filter(pk__in=listed).order_by(*NEWEST_FIRST)
    return list(newest.values_list("pk", flat=True)[:wanted])


def _sqlite_matching_call_keys(
    terms: tuple[Term, ...], *, masked: bool, calls: QuerySet[Transcript]
) -> tuple[str, list[Any]]:
    """SQL for the keys of `calls` (search.models.call_key) with a segment holding every term,
    newest first, read from FTS5's own index as they are fetched."""
    # FTS5 serves `ORDER BY rowid DESC` from its index (no sort), and each row ID read is
    # joined to its call, by primary key, and checked against `calls`' conditions (those of
    # _filtered, on the calls' own columns). The match holds only quoted folded words
    # (search.query); the tables' names and the bits are ours.
    where, where_params = calls.query.get_compiler(connection=connection).compile(calls.query.where)
    table = connection.ops.quote_name(Transcript._meta.db_table)
    key = f"{FTS_TABLE}.rowid >> {POSITION_BITS}"
    sql = (
        f"SELECT DISTINCT {key} FROM {FTS_TABLE} "  # noqa: S608
        f"CROSS JOIN {table} ON {table}.id = ({key}) & {TRANSCRIPT_MASK} "
        f"WHERE {FTS_TABLE} MATCH %s AND {where} ORDER BY {FTS_TABLE}.rowid DESC"
    )
    return sql, [fts5_match(terms, column=_column(masked)), *where_params]


def _best_segments(
    terms: tuple[Term, ...], *, masked: bool, transcript_ids: list[int]
) -> dict[int, SegmentEntry]:
    """For each of `transcript_ids`, its best-ranked matching segment (SearchRank on
    PostgreSQL; on SQLite the terms counted in each sentence)."""
    if not transcript_ids:
        return {}
    if connection.vendor == "postgresql":
        ranked = (
            _pg_matches(terms, masked=masked)
            .filter(transcript_id__in=transcript_ids)
            .annotate(rank=SearchRank(F(_vector(masked)), _pg_query(terms)))
            .order_by("transcript_id", "-rank", "position")
        )
        ranked_best: dict[int, SegmentEntry] = {}
        for entry in ranked.only("transcript_id", "position", "start", "speaker"):
            ranked_best.setdefault(entry.transcript_id, entry)
        return ranked_best
    # The few calls of a page: their sentences ranked here (one indexed read of their rows),
    # which costs less than asking FTS5 once per call (each look reads the terms' whole lists).
    column = _column(masked)
    best: dict[int, SegmentEntry] = {}
    best_score: dict[int, int] = {}
    entries = SegmentEntry.objects.filter(transcript_id__in=transcript_ids).order_by("pk")
    # Read as tuples (hundreds of rows): an entry is made only of a call's best so far.
    rows = entries.values_list("transcript_id", "position", "start", "speaker", column)
    for transcript_id, position, start, speaker, words in rows:
        score = terms_score(terms, words)
        if score > best_score.get(transcript_id, 0):
            best[transcript_id] = SegmentEntry(
                transcript_id=transcript_id, position=position, start=start, speaker=speaker
            )
            best_score[transcript_id] = score
    return best


def _column(masked: bool) -> str:
    return "words_masked" if masked else "words"


def _vector(masked: bool) -> str:
    return "vector_masked" if masked else "vector"


def _pg_query(terms: tuple[Term, ...]) -> SearchQuery:
    return SearchQuery(tsquery_raw(terms), search_type="raw", config=TEXT_SEARCH_CONFIG)


def _pg_matches(terms: tuple[Term, ...], *, masked: bool) -> QuerySet[SegmentEntry]:
    return SegmentEntry.objects.filter(**{_vector(masked): _pg_query(terms)})


def _hit(transcript: Transcript, entry: SegmentEntry, *, masked: bool) -> SearchHit:
    segments = transcript.segments
    text = str(segments[entry.position].get("text", "")) if entry.position < len(segments) else ""
    second = int(entry.start)
    url = reverse("followups:detail", kwargs={"followup_id": transcript.followup_id})
    return SearchHit(
        followup_id=transcript.followup_id,
        called_at=transcript.called_at,
        call_type=transcript.call_type,
        call_status=transcript.call_status,
        text=digits_mask(text) if masked else text,
        speaker=speaker_label(entry.speaker),
        second=second,
        url=f"{url}?t={second}#recording",
    )
