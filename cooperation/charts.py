"""Server-rendered SVG bar charts: geometry computed here, drawn by includes/_bar_chart.html."""

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    url: str
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    maximum: int

    @property
    def summary(self) -> str:
        if not self.bars:
            return f"{self.title}: no data."
        peak = max(self.bars, key=lambda bar: bar.value)
        return (
            f"{self.title}, {self.bars[0].label} to {self.bars[-1].label}; "
            f"the most, {peak.value}, in {peak.label}."
        )


def bar_chart(title: str, points: list[tuple[str, int, str]], *, width=720, height=220) -> BarChart:
    """Bars for (label, value, url) points, left to right, scaled to the largest value."""
    label_space, top_space = 28.0, 18.0
    baseline = height - label_space
    maximum = max((value for _, value, _ in points), default=0)
    slot = width / max(len(points), 1)
    bar_width = max(min(slot * 0.7, 48.0), 2.0)
    every = max(1, round(len(points) / 12))  # thin labels out so they never overlap
    bars = []
    for index, (label, value, url) in enumerate(points):
        bar_height = (baseline - top_space) * value / maximum if maximum else 0.0
        bars.append(
            Bar(
                label=label,
                value=value,
                url=url,
                x=round(index * slot + (slot - bar_width) / 2, 1),
                y=round(baseline - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                show_label=index % every == 0 or index == len(points) - 1,
            )
        )
    return BarChart(title, bars, width, height, baseline, maximum)


@dataclass
class Row:
    label: str
    shown: str  # the label as drawn, shortened if too long for the chart's width
    value: int
    url: str
    label_y: float  # the label's baseline, above its bar
    bar_y: float
    value_y: float  # the value's baseline, beside the bar's end
    width: float


@dataclass
class RowChart:
    """Horizontal bars, one per row, each under its label: for long labels (source titles)
    that a column chart's axis has no room for."""

    title: str
    rows: list[Row]
    width: int
    height: int
    bar_height: float
    maximum: int

    @property
    def summary(self) -> str:
        if not self.rows:
            return f"{self.title}: no data."
        peak = max(self.rows, key=lambda row: row.value)
        return f"{self.title}; the most, {peak.value}, for {peak.label}."


ROW_HEIGHT, BAR_HEIGHT, LABEL_SPACE, VALUE_SPACE = 40.0, 14.0, 18.0, 56.0
MAX_LABEL = 90  # characters: an SVG text does not wrap; the full label is in the bar's title


def row_chart(title: str, points: list[tuple[str, int, str]], *, width=720) -> RowChart:
    """Rows for (label, value, url) points, top to bottom, scaled to the largest value."""
    maximum = max((value for _, value, _ in points), default=0)
    room = width - VALUE_SPACE
    rows = []
    for index, (label, value, url) in enumerate(points):
        top = index * ROW_HEIGHT
        rows.append(
            Row(
                label=label,
                shown=label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…",
                value=value,
                url=url,
                label_y=top + LABEL_SPACE - 5,
                bar_y=top + LABEL_SPACE,
                value_y=top + LABEL_SPACE + BAR_HEIGHT - 3,
                width=round(room * value / maximum, 1) if maximum else 0.0,
            )
        )
    height = round(len(points) * ROW_HEIGHT)
    return RowChart(title, rows, width, height, BAR_HEIGHT, maximum)
