from typing import Any

from django.db import migrations

# SQLite: a row's ID becomes its call's period, its transcript's ID and its position
# (search.models), so that FTS5, walking row IDs downwards, gives the matching sentences newest
# call first and a search stops once it has listed enough calls. The existing rows are given
# their new IDs (through negative ones, which no row has, so no two rows ever share an ID on
# the way), then the FTS5 index is rebuilt from them in one pass; the update trigger is off
# meanwhile (it would rewrite the index one row at a time). When a call's date changes, a
# trigger gives its rows the IDs of its new period.
# The period, as search.models.call_period computes it (a test holds the two equal): two
# minutes from 2000-01-01 (Unix second 946684800), the first one 2, at most 2^25 - 1;
# undated calls 1. All the SQL below is made of this file's constants.
# The stored date's first 19 characters ("2026-01-05 10:00:59", UTC): strftime would round
# its microseconds to the nearest second, the period is that of the second it is in.
_PERIOD = """CASE WHEN {date} IS NULL THEN 1 ELSE max(2, min(33554431,
    2 + (CAST(strftime('%s', substr({date}, 1, 19)) AS INTEGER) - 946684800) / 120)) END"""
_KEYED_ID = "((" + _PERIOD + ") << 38) | ({transcript} << 12) | position"
_STORED_DATE = "(SELECT called_at FROM transcripts_transcript t WHERE t.id = transcript_id)"
_FTS_UPDATE_TRIGGER = """
    CREATE TRIGGER search_segment_fts_update AFTER UPDATE ON search_segmententry BEGIN
        INSERT INTO search_segment_fts(search_segment_fts, rowid, words, words_masked)
        VALUES ('delete', old.id, old.words, old.words_masked);
        INSERT INTO search_segment_fts(rowid, words, words_masked)
        VALUES (new.id, new.words, new.words_masked);
    END"""
_CALL_DATE_TRIGGER = """
    CREATE TRIGGER search_segment_call_date AFTER UPDATE OF called_at ON transcripts_transcript
    WHEN old.called_at IS NOT new.called_at BEGIN
        UPDATE search_segmententry SET id = {new_id} WHERE transcript_id = new.id;
    END"""


def _rows_renumbered(new_id: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS search_segment_fts_update",
        "UPDATE search_segmententry SET id = -id",
        "UPDATE search_segmententry SET id = " + new_id,  # noqa: S608 (this file's SQL)
        "INSERT INTO search_segment_fts(search_segment_fts) VALUES ('rebuild')",
        _FTS_UPDATE_TRIGGER,
    ]


SQLITE_FORWARD = [
    *_rows_renumbered(_KEYED_ID.format(date=_STORED_DATE, transcript="transcript_id")),
    _CALL_DATE_TRIGGER.format(new_id=_KEYED_ID.format(date="new.called_at", transcript="new.id")),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_segment_call_date",
    *_rows_renumbered("transcript_id * 100000 + position"),
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    # PostgreSQL orders calls with an index of its own (migration 0002), whatever the IDs.
    if schema_editor.connection.vendor == "sqlite":
        for statement in statements:
            # No parameters: the statements' `%s` is strftime's, not a placeholder.
            schema_editor.execute(statement, params=None)


def sqlite_forward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, SQLITE_FORWARD)


def sqlite_backward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_postgresql_triggers_newest_calls"),
        # The last migration of the table the trigger is on: one that rebuilt the table after
        # it (as SQLite's schema changes do) would drop the trigger.
        ("transcripts", "0002_calls_known"),
    ]

    operations = [migrations.RunPython(sqlite_forward, sqlite_backward)]
