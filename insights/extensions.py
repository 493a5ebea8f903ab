"""What other apps add to the insights page: columns of the per-reviewer table.

`insights` imports none of the apps built on it (calibration builds on insights' agreement
measure); they register here from their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

# The column's cell per reviewer's username, for the viewer and the table's reviewers; a
# reviewer left out shows an empty cell.
ReviewerCells = Callable[[AbstractBaseUser, Sequence[str]], dict[str, str]]


@dataclass(frozen=True)
class ReviewerColumn:
    name: str
    label: str
    values: ReviewerCells
    # The column of the per-reviewer CSV export: its header and its cells, plain figures.
    csv_name: str
    csv_values: ReviewerCells


_reviewer_columns: dict[str, ReviewerColumn] = {}


def reviewer_column_register(*, column: ReviewerColumn) -> None:
    """Add `column` to the per-reviewer table (registering a name again replaces it)."""
    _reviewer_columns[column.name] = column


@dataclass(frozen=True)
class ReviewerColumnCells:
    label: str
    cells: dict[str, str]


def reviewer_columns_cells(
    *, user: AbstractBaseUser, usernames: Sequence[str]
) -> list[ReviewerColumnCells]:
    """Every registered column's label and cells for `usernames`, as `user` may see them."""
    return [
        ReviewerColumnCells(label=column.label, cells=column.values(user, usernames))
        for column in _reviewer_columns.values()
    ]


def reviewer_columns_csv(
    *, user: AbstractBaseUser, usernames: Sequence[str]
) -> list[ReviewerColumnCells]:
    """Every registered column's CSV header and cells for `usernames`, as `user` may see them."""
    return [
        ReviewerColumnCells(label=column.csv_name, cells=column.csv_values(user, usernames))
        for column in _reviewer_columns.values()
    ]
