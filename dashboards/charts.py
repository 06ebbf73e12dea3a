"""Charts drawn on the server as SVG: no chart library, no script, nothing inline for the CSP to refuse.

A chart is data first (``Chart``: categories along the x axis, one or more series), rendered three ways
from the same numbers so that they cannot disagree: an SVG picture (``render``), the table beside it for
people who do not see the picture (``Chart.header`` and ``Chart.rows``), and the CSV download.

Each SVG has ``role="img"`` with a ``<title>`` and a ``<desc>`` (named by ``aria-labelledby``): a screen
reader announces the title and description, and the table holds the numbers. Colours are set with SVG
presentation attributes (``fill``), never ``style``, and are told apart by the legend as well as hue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape

# Dark enough for 3:1 against white (WCAG 1.4.11), told apart in the common colour-vision deficiencies
# (after Okabe and Ito, darkened); "Other" is always grey.
PALETTE = ("#0b5cad", "#b35c00", "#1b7a4b", "#a23b72", "#5a4fcf", "#7a6200", "#2d6f86", "#8a3b12")
OTHER_COLOUR = "#6b7580"
TARGET_COLOUR = "#b00020"

# Drawn small and scaled to the box: 480 units across is about the width of half a desktop page or a whole phone,
# so 13-unit text reads at 10 to 13 pixels.
WIDTH, HEIGHT = 480, 280
LEFT, RIGHT, TOP = 50, 12, 14
AXIS_FONT = 13
CHAR_WIDTH = 7.5  # an average character at AXIS_FONT, for spacing labels


@dataclass(frozen=True)
class Series:
    """One value per category; None where there is nothing to measure (a month with no review has no average:
    a line leaves a gap there, never a 0 that would read as an instant review)."""

    name: str
    values: list[float | None]


@dataclass(frozen=True)
class Chart:
    """What a chart says: ``categories`` along the x axis (bars, or points of a line), one value per category
    in each series. ``kind`` is "bar" (series stacked), "hbar" (one series, horizontal) or "line"."""

    slug: str
    title: str
    description: str
    kind: str
    categories: list[str]
    series: list[Series]
    x_label: str = ""
    y_label: str = ""
    target: float | None = None
    target_label: str = ""
    extra_columns: list[tuple[str, list]] = field(default_factory=list)
    missing: str = "none"  # what the table and the CSV say for a None value: "no reviews"

    @property
    def header(self) -> list[str]:
        names = [s.name for s in self.series]
        return [self.x_label or "Category", *names, *(name for name, _ in self.extra_columns)]

    @property
    def rows(self) -> list[list[object]]:
        rows = []
        for i, category in enumerate(self.categories):
            values = [self.missing if s.values[i] is None else _number(s.values[i]) for s in self.series]
            rows.append([category, *values, *(column[i] for _, column in self.extra_columns)])
        return rows

    @property
    def is_empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)


def _number(value: float | None) -> float | int:
    if value is None:
        return 0
    return int(value) if float(value).is_integer() else round(value, 1)


def colour(index: int, name: str) -> str:
    return OTHER_COLOUR if name == "Other" else PALETTE[index % len(PALETTE)]


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for the y axis at or above ``value``, and the step between its five ticks."""
    if value <= 0:
        return 5.0, 1.0
    raw_step = value / 5
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= raw_step:
            break
    step = max(step, 1.0)  # counts (and hours) are read in whole steps
    return step * math.ceil(value / step), step


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _svg_open(chart: Chart, height: int) -> list[str]:
    title_id, desc_id = f"chart-{chart.slug}-title", f"chart-{chart.slug}-desc"
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]


def _legend(y: int, names: list[str], colours: list[str], *, target: str = "") -> tuple[list[str], int]:
    """Legend entries in rows under the chart (a dashed line for the target, named ``target``); returns the SVG
    and the height used. The target is named here rather than on its line, where a point could sit on it."""
    parts: list[str] = []
    x: float = LEFT
    row_y = y
    entries = [(name, fill, False) for name, fill in zip(names, colours, strict=True)]
    entries += [(target, TARGET_COLOUR, True)] if target else []
    for name, fill, dashed in entries:
        swatch = 24 if dashed else 12
        width = swatch + 6 + CHAR_WIDTH * len(name) + 14
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row_y = LEFT, row_y + 20
        if dashed:
            parts.append(
                f'<line x1="{x}" x2="{x + swatch}" y1="{row_y - 4}" y2="{row_y - 4}" stroke="{fill}" '
                'stroke-width="2" stroke-dasharray="6 4"/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="{row_y - 10}" width="12" height="12" fill="{fill}"/>')
        parts.append(
            f'<text x="{x + swatch + 6}" y="{row_y}" font-size="{AXIS_FONT}" fill="#1b1f24">{escape(name)}</text>'
        )
        x += width
    return parts, row_y - y + 20


def _legend_for(chart: Chart, names: list[str], colours: list[str]) -> tuple[list[str], int]:
    """The legend under a chart: its series when there are several, and its target when it has one."""
    target = (chart.target_label or "Target") if chart.target is not None else ""
    if len(names) < 2 and not target:
        return [], 0
    return _legend(HEIGHT - 2, names if len(names) > 1 else [], colours if len(names) > 1 else [], target=target)


def _y_axis(top_value: float, step: float, plot_top: int, plot_bottom: int, label: str) -> list[str]:
    parts = []
    ticks = int(round(top_value / step))
    for t in range(ticks + 1):
        value = t * step
        y = plot_bottom - (plot_bottom - plot_top) * value / top_value
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e1e5ea"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="{AXIS_FONT}" text-anchor="end" fill="#1b1f24">'
            f"{_fmt(value)}</text>"
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{plot_top}" y2="{plot_bottom}" stroke="#1b1f24"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{plot_bottom}" y2="{plot_bottom}" stroke="#1b1f24"/>')
    if label:
        middle = (plot_top + plot_bottom) / 2
        parts.append(
            f'<text x="13" y="{middle:.1f}" font-size="{AXIS_FONT}" text-anchor="middle" fill="#1b1f24" '
            f'transform="rotate(-90 13 {middle:.1f})">{escape(label)}</text>'
        )
    return parts


def _x_labels(chart: Chart, centres: list[float], plot_bottom: int) -> list[str]:
    widest = max((len(c) for c in chart.categories), default=1) * CHAR_WIDTH + 10
    every = max(1, math.ceil(len(centres) * widest / (WIDTH - LEFT - RIGHT)))  # labels never overlap
    parts = []
    for i, (category, x) in enumerate(zip(chart.categories, centres, strict=True)):
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{plot_bottom + 16}" font-size="{AXIS_FONT}" text-anchor="middle" '
                f'fill="#1b1f24">{escape(category)}</text>'
            )
    if chart.x_label:
        parts.append(
            f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{plot_bottom + 34}" font-size="{AXIS_FONT}" '
            f'text-anchor="middle" fill="#1b1f24">{escape(chart.x_label)}</text>'
        )
    return parts


def _target_line(chart: Chart, top_value: float, plot_top: int, plot_bottom: int) -> list[str]:
    """The target as a dashed line across the plot (named in the legend)."""
    if chart.target is None:
        return []
    y = plot_bottom - (plot_bottom - plot_top) * chart.target / top_value
    return [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" '
        'stroke-width="2" stroke-dasharray="6 4"/>',
    ]


def bar_chart(chart: Chart) -> str:
    """Vertical bars, one per category, its series stacked (with a legend when there are several)."""
    plot_top, plot_bottom = TOP + 8, HEIGHT - 58
    totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
    top_value, step = nice_ceiling(max([*totals, chart.target or 0, 0]))
    n = max(1, len(chart.categories))
    slot = (WIDTH - LEFT - RIGHT) / n
    bar = max(4.0, slot * 0.7)
    names = [s.name for s in chart.series]
    colours = [colour(i, name) for i, name in enumerate(names)]
    legend, legend_height = _legend_for(chart, names, colours)
    parts = _svg_open(chart, HEIGHT + legend_height)
    parts += _y_axis(top_value, step, plot_top, plot_bottom, chart.y_label)
    centres = []
    for i in range(len(chart.categories)):
        x = LEFT + slot * i + (slot - bar) / 2
        centres.append(x + bar / 2)
        base = float(plot_bottom)
        for s, fill in zip(chart.series, colours, strict=True):
            height = (plot_bottom - plot_top) * (s.values[i] or 0) / top_value
            if height > 0:
                base -= height
                parts.append(
                    f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{fill}" '
                    'stroke="#ffffff" stroke-width="1"/>'
                )
    parts += _target_line(chart, top_value, plot_top, plot_bottom)
    parts += _x_labels(chart, centres, plot_bottom)
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(chart: Chart) -> str:
    """One line per series through the categories, points marked, with an optional dashed target line. A None
    value has no point, and the line breaks there (a gap, not a fall to 0)."""
    plot_top, plot_bottom = TOP + 8, HEIGHT - 58
    values = [v for s in chart.series for v in s.values if v is not None]
    top_value, step = nice_ceiling(max([*values, chart.target or 0, 0]))
    n = max(1, len(chart.categories))
    slot = (WIDTH - LEFT - RIGHT) / n
    centres = [LEFT + slot * i + slot / 2 for i in range(n)]
    names = [s.name for s in chart.series]
    colours = [colour(i, name) for i, name in enumerate(names)]
    legend, legend_height = _legend_for(chart, names, colours)
    parts = _svg_open(chart, HEIGHT + legend_height)
    parts += _y_axis(top_value, step, plot_top, plot_bottom, chart.y_label)
    parts += _target_line(chart, top_value, plot_top, plot_bottom)
    for s, fill in zip(chart.series, colours, strict=True):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((centres[i], plot_bottom - (plot_bottom - plot_top) * v / top_value))
        for points in runs:
            if len(points) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{fill}" stroke-width="2.5"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}"/>' for x, y in points]
    parts += _x_labels(chart, centres, plot_bottom)
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts)


def hbar_chart(chart: Chart) -> str:
    """Horizontal bars, one per category (a name), the value written at the end of each bar."""
    label_width, row = 170, 28
    n = max(1, len(chart.categories))
    plot_top = TOP
    height = plot_top + n * row + 36
    values = [v or 0 for v in chart.series[0].values] if chart.series else []
    top_value, _ = nice_ceiling(max([*values, 0]))
    span = WIDTH - label_width - RIGHT - 36
    parts = _svg_open(chart, height)
    fill = colour(0, chart.series[0].name if chart.series else "")
    for i, (category, value) in enumerate(zip(chart.categories, values, strict=True)):
        y = plot_top + i * row
        width = span * value / top_value
        name = category if len(category) <= 21 else category[:20] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" font-size="{AXIS_FONT}" text-anchor="end" '
            f'fill="#1b1f24">{escape(name)}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="{row - 8}" fill="{fill}"/>')
        parts.append(
            f'<text x="{label_width + width + 6:.1f}" y="{y + 17}" font-size="{AXIS_FONT}" fill="#1b1f24">'
            f"{_fmt(value)}</text>"
        )
    axis_y = plot_top + n * row
    parts.append(f'<line x1="{label_width}" x2="{label_width}" y1="{plot_top}" y2="{axis_y}" stroke="#1b1f24"/>')
    if chart.y_label:
        parts.append(
            f'<text x="{label_width}" y="{axis_y + 22}" font-size="{AXIS_FONT}" fill="#1b1f24">'
            f"{escape(chart.y_label)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


RENDERERS = {"bar": bar_chart, "line": line_chart, "hbar": hbar_chart}


def render(chart: Chart) -> str:
    """The chart as an SVG element (safe to mark safe: every text in it is escaped here)."""
    return RENDERERS[chart.kind](chart)
