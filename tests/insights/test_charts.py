"""The server-drawn charts: geometry within the picture, gaps for weeks without reviews."""

from hypothesis import given
from hypothesis import strategies as st

from insights import charts

_PERCENT = st.none() | st.floats(min_value=0, max_value=100)


@given(st.lists(st.tuples(_PERCENT, _PERCENT), max_size=110))
def test_a_week_chart_stays_inside_its_picture(weeks):
    chart = charts.week_chart(
        [
            charts.WeekValue(label=str(i), rate=rate, score=score)
            for i, (rate, score) in enumerate(weeks)
        ]
    )
    for column in chart.columns:
        assert column.x >= 0
        assert column.x + column.width <= chart.width
        assert column.y >= 0
        assert column.y + column.height <= chart.height + 0.1
    for point in chart.points:
        assert 0 <= point.x <= chart.width
        assert 0 <= point.y <= chart.height
    assert chart.empty == all(rate is None for rate, _score in weeks)


def test_an_empty_week_breaks_the_score_line():
    chart = charts.week_chart(
        [
            charts.WeekValue(label="a", rate=50, score=60),
            charts.WeekValue(label="b", rate=40, score=70),
            charts.WeekValue(label="c", rate=None, score=None),
            charts.WeekValue(label="d", rate=30, score=80),
            charts.WeekValue(label="e", rate=20, score=90),
        ]
    )
    assert len(chart.lines) == 2
    assert len(chart.columns) == 4


def test_bars_scale_to_the_largest_count_or_to_a_hundred_percent():
    counts = charts.bar_chart(
        [
            charts.BarValue(label="a", value=10, text="10"),
            charts.BarValue(label="b", value=5, text="5"),
        ]
    )
    assert counts.bars[1].width * 2 == counts.bars[0].width
    rates = charts.bar_chart([charts.BarValue(label="a", value=50, text="50 %")], scale_max=100)
    assert rates.bars[0].width == counts.bars[0].width / 2
    assert charts.bar_chart([]).empty


@given(
    st.lists(
        st.integers(min_value=0, max_value=10**6).flatmap(
            lambda total: st.tuples(st.just(total), st.integers(min_value=0, max_value=total))
        ),
        max_size=110,
    )
)
def test_a_count_chart_stays_inside_its_picture_and_parts_inside_their_columns(weeks):
    chart = charts.count_chart(
        [
            charts.WeekCount(label=str(i), total=total, part=part, title="")
            for i, (total, part) in enumerate(weeks)
        ]
    )
    assert len(chart.columns) == len(chart.parts) == sum(1 for total, _ in weeks if total)
    for column, part in zip(chart.columns, chart.parts, strict=True):
        assert column.x >= 0
        assert column.x + column.width <= chart.width
        assert 0 <= column.y <= part.y
        # Both stand on the axis (to the rounding of their coordinates).
        assert abs(column.y + column.height - (part.y + part.height)) <= 0.1
        assert part.y + part.height <= chart.height
    assert chart.empty == (not any(total for total, _ in weeks))


def test_a_count_chart_scales_to_the_busiest_week():
    chart = charts.count_chart(
        [
            charts.WeekCount(label="a", total=10, part=5, title=""),
            charts.WeekCount(label="b", total=0, part=0, title=""),
            charts.WeekCount(label="c", total=5, part=0, title=""),
        ]
    )
    assert chart.columns[0].height == 2 * chart.columns[1].height == 2 * chart.parts[0].height
    assert chart.parts[1].height == 0
    assert [label.text for label in chart.y_labels] == ["0", "5", "10"]
