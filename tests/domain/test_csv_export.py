"""CSV downloads (followups/csv_export.py): streamed, every cell inert for spreadsheets."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.csv_export import csv_cell_safe, csv_lines, csv_response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-abc", "'-abc"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("abc", "abc"),
        ("'=quoted", "'=quoted"),
        ("", ""),
    ],
)
def test_csv_cell_safe(value, safe):
    assert csv_cell_safe(value) == safe


@given(st.lists(st.lists(st.text(max_size=20), min_size=2, max_size=2), max_size=5))
def test_every_cell_reads_back_inert_and_whole(rows):
    text = "".join(csv_lines(header=["a", "b"], rows=rows))
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == ["a", "b"]
    assert len(read) == len(rows) + 1
    for sent, got in zip(rows, read[1:], strict=True):
        for value, cell in zip(sent, got, strict=True):
            assert not cell.startswith(FORMULA_STARTS)
            assert cell in (value, f"'{value}")


def test_lines_stream_one_row_at_a_time():
    def rows():
        yield ["1", "=x"]
        raise AssertionError("read before it was asked for")

    lines = csv_lines(header=["n", "v"], rows=rows())
    assert next(lines) == "n,v\r\n"
    assert next(lines) == "1,'=x\r\n"


def test_a_download_names_its_file():
    response = csv_response(lines=iter(["a\r\n"]), filename="audit.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit.csv"'
    assert response.getvalue() == b"a\r\n"
