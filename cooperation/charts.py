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
