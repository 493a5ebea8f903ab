"""CSV downloads (the audit trail, the QA reviews): streamed line by line, every cell inert for
spreadsheets."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_safe(value: str) -> str:
    """`value` made inert for spreadsheets: a leading formula character gets a quote before it."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The header, then one CSV line per row (as it is read, so a large export streams), every
    cell passed through `csv_cell_safe`."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell_safe(cell) for cell in row])


def csv_response(*, lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    """`lines` as a CSV download named `filename`."""
    return StreamingHttpResponse(
        lines,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
