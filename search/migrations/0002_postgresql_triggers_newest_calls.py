from typing import Any

from django.db import migrations

# PostgreSQL: the stored tsvectors are computed by the database as the rows are written, as
# SQLite's triggers keep FTS5 in step: one write per sentence (an UPDATE after the INSERT
# wrote every row twice, leaving the table half dead rows). The configuration is "simple" (the
# words are folded before they are written; search.indexing).
# And the order search lists calls in (newest first, undated last) as an index, so that a
# search reads the newest calls until it has enough instead of sorting every matching call.
# SQLite keeps its plan (FTS5 gives the matching calls; it cannot index NULLS LAST).
POSTGRESQL_FORWARD = [
    """CREATE TRIGGER search_segment_vector BEFORE INSERT OR UPDATE ON search_segmententry
        FOR EACH ROW EXECUTE FUNCTION
        tsvector_update_trigger(vector, 'pg_catalog.simple', words)""",
    """CREATE TRIGGER search_segment_vector_masked BEFORE INSERT OR UPDATE ON search_segmententry
        FOR EACH ROW EXECUTE FUNCTION
        tsvector_update_trigger(vector_masked, 'pg_catalog.simple', words_masked)""",
    """UPDATE search_segmententry SET words = words
        WHERE vector IS NULL OR vector_masked IS NULL""",
    """CREATE INDEX search_transcript_newest ON transcripts_transcript
        (called_at DESC NULLS LAST, id DESC)""",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_transcript_newest",
    "DROP TRIGGER IF EXISTS search_segment_vector_masked ON search_segmententry",
    "DROP TRIGGER IF EXISTS search_segment_vector ON search_segmententry",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement)


def postgresql_forward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRESQL_FORWARD)


def postgresql_backward(apps: Any, schema_editor: Any) -> None:
    # The vectors stay filled; search.indexing before this migration wrote them itself.
    _run(schema_editor, POSTGRESQL_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_segment_index"),
        ("transcripts", "0001_transcript"),
    ]

    operations = [migrations.RunPython(postgresql_forward, postgresql_backward)]
