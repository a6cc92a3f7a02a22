"""Inline SVG charts drawn in Python (line, grouped bars, horizontal bars): no script, no network, no fonts.

Inline in HTML, so no xmlns (the parser puts <svg> in the SVG namespace). Colours and fonts come from the
page's CSS (classes s0…s7, .hl), so a chart is plain geometry plus text.
Every data mark carries the class `mark` and a <title> tooltip, which is what the browser test counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from html import escape

from greenmfg.report.model import Chart, Label

WIDTH = 640
HEIGHT = 300
TOP, RIGHT, BOTTOM = 14, 18, 46
LEFT = 64
ROW = 22  # height of one category row in a horizontal bar chart
PALETTE_SIZE = 8


def fmt(value: float | None, digits: int = 0) -> str:
    """1,234 or 12.3; an en dash for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def bilingual(label: Label | str, tag: str = "tspan") -> str:
    """Chinese, a separator and English as three elements the page's language switch shows or hides."""
    if isinstance(label, str) or label.zh == label.en:
        return escape(label if isinstance(label, str) else label.zh)
    return (
        f'<{tag} class="zh">{escape(label.zh)}</{tag}><{tag} class="sep"> · </{tag}>'
        f'<{tag} class="en">{escape(label.en)}</{tag}>'
    )


def plain(label: Label | str) -> str:
    """Both languages in one string, for tooltips."""
    if isinstance(label, str) or label.zh == label.en:
        return label if isinstance(label, str) else label.zh
    return f"{label.zh} / {label.en}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
        if ticks[-1] >= high:
            break
    return ticks


def tick_digits(ticks: list[float]) -> int:
    """Fewest decimals that print every tick exactly (0 for 0, 500, 1,000; 1 for 0.5, 1.0)."""
    return next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-9 for t in ticks)), 4)


def _text_width(text: str, size: float = 11) -> float:
    """Rough width for layout: CJK characters are square, Latin ones about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _label_width(label: Label) -> float:
    return _text_width(label.zh) + _text_width(" · ") + _text_width(label.en)


def _series_class(index: int, highlight: bool) -> str:
    return f"mark s{index % PALETTE_SIZE}" + (" hl" if highlight else "")


def _slots(chart: Chart) -> tuple[int, list[int]]:
    """Bar slots per category and each series' slot; series that never share a category share one slot."""
    columns = zip(*(s.values for s in chart.series), strict=True)
    if all(sum(v is not None for v in column) <= 1 for column in columns):
        return 1, [0] * len(chart.series)
    return max(len(chart.series), 1), list(range(len(chart.series)))


def _values(chart: Chart) -> list[float]:
    return [v for s in chart.series for v in s.values if v is not None]


def _open(chart: Chart, height: float) -> str:
    return (
        f'<svg class="chart chart-{chart.kind}" data-chart="{escape(chart.key)}" viewBox="0 0 {WIDTH} '
        f'{height:.0f}" role="img" aria-label="{escape(plain(chart.title))}">'
    )


def _tooltip(series: Label, category: Label, value: float | None, digits: int) -> str:
    return f"<title>{escape(plain(series))} — {escape(plain(category))}: {fmt(value, digits)}</title>"


def _y_axis(chart: Chart, ticks: list[float], y_of, left: float, right: float, height: float) -> list[str]:
    digits = tick_digits(ticks)
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt(tick, digits)}</text>'
        )
    middle = (TOP + height - BOTTOM) / 2
    parts.append(
        f'<text class="axis-title" transform="translate(13 {middle:.1f}) rotate(-90)" '
        f'text-anchor="middle">{bilingual(chart.y_label)}</text>'
    )
    return parts


def _bottom_title(label: Label, left: float, height: float) -> str:
    middle = (left + WIDTH - RIGHT) / 2
    return (
        f'<text class="axis-title" x="{middle:.1f}" y="{height - 8}" text-anchor="middle">'
        f"{bilingual(label)}</text>"
    )


def _scale(chart: Chart, height: float):
    values = _values(chart)
    low = min(0.0, *values) if not chart.invert else 1.0
    ticks = nice_ticks(low, max(values) if values else 1.0)
    if chart.invert:
        step = max(1.0, float(math.ceil(ticks[1] - ticks[0])) if len(ticks) > 1 else 1.0)
        count = max(2, math.ceil((max(values, default=1.0) - 1) / step) + 1)
        ticks = [1.0 + k * step for k in range(count)]
    top_value, bottom_value = (ticks[0], ticks[-1]) if chart.invert else (ticks[-1], ticks[0])
    span = (bottom_value - top_value) or 1.0
    plot_top, plot_bottom = TOP, height - BOTTOM

    def y_of(value: float) -> float:
        return plot_top + (value - top_value) / span * (plot_bottom - plot_top)

    return ticks, y_of


def _x_categories(chart: Chart, centres: list[float], height: float) -> list[str]:
    return [
        f'<text class="tick" x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">'
        f"{bilingual(category)}</text>"
        for x, category in zip(centres, chart.categories, strict=True)
    ]


def line_chart(chart: Chart) -> str:
    """Years (or batches) along x, one line per series; a missing value breaks the line."""
    ticks, y_of = _scale(chart, HEIGHT)
    count = len(chart.categories)
    step = (WIDTH - RIGHT - LEFT) / max(count, 1)
    centres = [LEFT + step * (i + 0.5) for i in range(count)]
    parts = [_open(chart, HEIGHT), *_y_axis(chart, ticks, y_of, LEFT, WIDTH - RIGHT, HEIGHT)]
    parts += _x_categories(chart, centres, HEIGHT)
    for index, series in enumerate(chart.series):
        cls = _series_class(index, series.highlight)
        for run in _runs(series.values):
            points = " ".join(f"{centres[i]:.1f},{y_of(series.values[i]):.1f}" for i in run)
            parts.append(f'<polyline class="{cls} line" points="{points}"/>')
        for i, value in enumerate(series.values):
            if value is not None:
                parts.append(
                    f'<circle class="{cls} dot" cx="{centres[i]:.1f}" cy="{y_of(value):.1f}" r="3.2">'
                    f"{_tooltip(series.name, chart.categories[i], value, chart.digits)}</circle>"
                )
    parts.append(_bottom_title(chart.x_label, LEFT, HEIGHT))
    parts.append("</svg>")
    return "".join(parts)


def _runs(values: Iterable[float | None]) -> list[list[int]]:
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return [r for r in runs if r]


def bar_chart(chart: Chart) -> str:
    """Vertical bars grouped by category, one bar per series; values printed when bars are few."""
    ticks, y_of = _scale(chart, HEIGHT)
    count = len(chart.categories)
    n_series, slot = _slots(chart)
    group = (WIDTH - RIGHT - LEFT) / max(count, 1)
    bar = group * 0.8 / n_series
    show_values = count * n_series <= 24
    parts = [_open(chart, HEIGHT), *_y_axis(chart, ticks, y_of, LEFT, WIDTH - RIGHT, HEIGHT)]
    parts += _x_categories(chart, [LEFT + group * (i + 0.5) for i in range(count)], HEIGHT)
    zero = y_of(0.0)
    for s_index, series in enumerate(chart.series):
        cls = _series_class(s_index, series.highlight)
        for i, value in enumerate(series.values):
            if value is None:
                continue
            x = LEFT + group * i + group * 0.1 + bar * slot[s_index]
            top, bottom = sorted((y_of(value), zero))
            parts.append(
                f'<rect class="{cls} bar" x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}">'
                f"{_tooltip(series.name, chart.categories[i], value, chart.digits)}</rect>"
            )
            if show_values:
                parts.append(
                    f'<text class="value" x="{x + bar / 2:.1f}" y="{top - 3:.1f}" text-anchor="middle">'
                    f"{fmt(value, chart.digits)}</text>"
                )
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}"/>')
    parts.append(_bottom_title(chart.x_label, LEFT, HEIGHT))
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(chart: Chart) -> str:
    """Horizontal bars, one row per category (long names read well), values printed at the bar ends."""
    n_series, slot = _slots(chart)
    row = ROW * (1 + 0.6 * (n_series - 1))
    height = TOP + row * len(chart.categories) + BOTTOM
    left = (
        min(max(_label_width(c) for c in chart.categories) + 14, WIDTH * 0.45) if chart.categories else LEFT
    )
    right = WIDTH - RIGHT - 44  # room for the value printed after the longest bar
    values = _values(chart)
    ticks = nice_ticks(min(0.0, *values), max(values) if values else 1.0)
    span = (ticks[-1] - ticks[0]) or 1.0

    def x_of(value: float) -> float:
        return left + (value - ticks[0]) / span * (right - left)

    parts = [_open(chart, height)]
    digits = tick_digits(ticks)
    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - BOTTOM}"/>')
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - BOTTOM + 15}" text-anchor="middle">'
            f"{fmt(tick, digits)}</text>"
        )
    bar = row * 0.78 / n_series
    for i, category in enumerate(chart.categories):
        y0 = TOP + row * i
        parts.append(
            f'<text class="tick cat" x="{left - 8:.1f}" y="{y0 + row / 2 + 4:.1f}" text-anchor="end">'
            f"{bilingual(category)}</text>"
        )
        for s_index, series in enumerate(chart.series):
            value = series.values[i]
            if value is None:
                continue
            y = y0 + row * 0.11 + bar * slot[s_index]
            x_start, x_end = sorted((x_of(0.0), x_of(value)))
            parts.append(
                f'<rect class="{_series_class(s_index, series.highlight)} bar" x="{x_start:.1f}" y="{y:.1f}" '
                f'width="{max(x_end - x_start, 0.5):.1f}" height="{bar:.1f}">'
                f"{_tooltip(series.name, category, value, chart.digits)}</rect>"
            )
            parts.append(
                f'<text class="value" x="{x_end + 4:.1f}" y="{y + bar / 2 + 3.5:.1f}">'
                f"{fmt(value, chart.digits)}</text>"
            )
    parts.append(
        f'<line class="axis" x1="{x_of(0.0):.1f}" x2="{x_of(0.0):.1f}" y1="{TOP}" y2="{height - BOTTOM}"/>'
    )
    parts.append(_bottom_title(chart.y_label, left, height))  # the value axis runs along the bottom
    parts.append("</svg>")
    return "".join(parts)


DRAW = {"line": line_chart, "bars": bar_chart, "hbars": hbar_chart}


def draw(chart: Chart) -> str:
    """The chart's SVG; callers show a note instead when the chart has no data."""
    return DRAW[chart.kind](chart)
