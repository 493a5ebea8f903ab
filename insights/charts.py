"""Charts drawn on the server as SVG geometry for the templates: rectangles, points and labels
with classes and presentation attributes only, so the Content Security Policy stays as strict
as it is (no script, no style attribute) and a chart shows without JavaScript.

Every value is a percentage (0 to 100) or a count scaled to the largest; a missing value (a
week without reviews) draws nothing and is said so in the chart's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
# Room for the axis labels on the left and the week labels below.
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 8, 28
WEEKS_HEIGHT = 200
BAR_HEIGHT, BAR_GAP = 18, 6
BAR_LABEL_WIDTH = 220
# Week labels closer than this overlap; only every n-th is written then.
WEEK_LABEL_MIN_SPACING = 44


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class WeekChart:
    """Pass rate as columns, average score as points joined within runs of weeks that have
    reviews, on one 0-100 % scale."""

    width: int
    height: int
    columns: list[Column]
    points: list[Point]
    lines: list[str]  # polyline "points" attributes, one per run
    x_labels: list[Label]
    y_labels: list[Label]
    gridlines: list[float]
    empty: bool


@dataclass(frozen=True)
class WeekValue:
    label: str
    rate: float | None
    score: float | None


def _plot() -> tuple[float, float]:
    return WIDTH - LEFT - RIGHT, WEEKS_HEIGHT - TOP - BOTTOM


def _week_labels(labels: Sequence[str]) -> list[Label]:
    """The labels under a week chart's slots: every n-th when slots are narrow."""
    slot = _plot()[0] / max(len(labels), 1)
    label_every = max(1, int(WEEK_LABEL_MIN_SPACING // slot) + 1)
    return [
        Label(x=round(LEFT + slot * (index + 0.5), 1), y=WEEKS_HEIGHT - 8, text=label)
        for index, label in enumerate(labels)
        if index % label_every == 0
    ]


def week_chart(values: Sequence[WeekValue]) -> WeekChart:
    plot_width, plot_height = _plot()
    slot = plot_width / max(len(values), 1)

    def y_of(percent: float) -> float:
        return round(TOP + plot_height * (1 - percent / 100), 1)

    columns, points, lines, run = [], [], [], []
    for index, value in enumerate(values):
        centre = LEFT + slot * (index + 0.5)
        if value.rate is not None:
            top = y_of(value.rate)
            columns.append(
                Column(
                    x=round(centre - slot * 0.35, 1),
                    y=top,
                    width=round(slot * 0.7, 1),
                    height=round(TOP + plot_height - top, 1),
                    title=f"{value.label}: {_number(value.rate)} % passed",
                )
            )
        if value.score is not None:
            point = Point(
                x=round(centre, 1),
                y=y_of(value.score),
                title=f"{value.label}: average score {_number(value.score)} %",
            )
            points.append(point)
            run.append(f"{point.x},{point.y}")
        else:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
    if len(run) > 1:
        lines.append(" ".join(run))
    return WeekChart(
        width=WIDTH,
        height=WEEKS_HEIGHT,
        columns=columns,
        points=points,
        lines=lines,
        x_labels=_week_labels([value.label for value in values]),
        y_labels=[Label(x=LEFT - 6, y=y_of(p) + 4, text=f"{p} %") for p in (0, 50, 100)],
        gridlines=[y_of(p) for p in (0, 25, 50, 75, 100)],
        empty=not columns,
    )


@dataclass(frozen=True)
class WeekCount:
    label: str
    total: int
    part: int  # of `total`, drawn inside its column
    title: str  # what the column says when pointed at


@dataclass(frozen=True)
class CountChart:
    """Counts per week as columns scaled to the largest, each with the part of it that is
    `part` drawn over it from the bottom."""

    width: int
    height: int
    columns: list[Column]
    parts: list[Column]
    x_labels: list[Label]
    y_labels: list[Label]
    gridlines: list[float]
    empty: bool


def count_chart(values: Sequence[WeekCount]) -> CountChart:
    plot_width, plot_height = _plot()
    slot = plot_width / max(len(values), 1)
    top = max((value.total for value in values), default=0)

    def y_of(count: float) -> float:
        return round(TOP + plot_height * (1 - count / top), 1) if top else TOP + plot_height

    columns: list[Column] = []
    parts: list[Column] = []
    for index, value in enumerate(values):
        if not value.total:
            continue
        x, width = round(LEFT + slot * (index + 0.15), 1), round(slot * 0.7, 1)
        for count, into in ((value.total, columns), (value.part, parts)):
            y = y_of(count)
            into.append(
                Column(
                    x=x, y=y, width=width, height=round(TOP + plot_height - y, 1), title=value.title
                )
            )
    scale = [0, top // 2, top] if top > 1 else [0, top]
    return CountChart(
        width=WIDTH,
        height=WEEKS_HEIGHT,
        columns=columns,
        parts=parts,
        x_labels=_week_labels([value.label for value in values]),
        y_labels=[Label(x=LEFT - 6, y=y_of(n) + 4, text=str(n)) for n in scale],
        gridlines=[y_of(n) for n in scale],
        empty=not columns,
    )


@dataclass(frozen=True)
class Bar:
    label: Label
    x: float
    y: float
    width: float
    height: float
    value: Label


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row, with the value written after each."""

    width: int
    height: int
    bars: list[Bar]
    empty: bool


@dataclass(frozen=True)
class BarValue:
    label: str
    value: float | None
    text: str  # the value as the chart writes it: "12.5 %", "340"


def bar_chart(values: Sequence[BarValue], *, scale_max: float | None = None) -> BarChart:
    """Bars of `values` scaled to `scale_max` (100 for percentages) or to the largest value."""
    known = [v.value for v in values if v.value is not None]
    top = scale_max if scale_max is not None else max(known, default=0)
    room = WIDTH - BAR_LABEL_WIDTH - 60
    bars = []
    for index, value in enumerate(values):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP)
        length = room * value.value / top if value.value and top else 0
        bars.append(
            Bar(
                label=Label(x=BAR_LABEL_WIDTH - 6, y=y + BAR_HEIGHT - 5, text=value.label),
                x=BAR_LABEL_WIDTH,
                y=y,
                width=round(length, 1),
                height=BAR_HEIGHT,
                value=Label(
                    x=round(BAR_LABEL_WIDTH + length + 6, 1), y=y + BAR_HEIGHT - 5, text=value.text
                ),
            )
        )
    return BarChart(
        width=WIDTH,
        height=TOP * 2 + max(len(values), 1) * (BAR_HEIGHT + BAR_GAP),
        bars=bars,
        empty=not known,
    )
