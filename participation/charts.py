"""Bar charts drawn on the server as inline SVG.

No script, no style attribute (the Content-Security-Policy forbids both):
colours come from classes in static/css/site.css. Each chart names itself
with ``<title>`` and ``<desc>`` for screen readers, and every page that shows
one puts a table with the same numbers beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 240
LEFT = 40  # room for the value axis
BOTTOM = 28  # room for the labels
TOP = 10


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str  # e.g. "series-1": the stylesheet gives it its colour
    values: list[float | None]


def nice_max(value: float) -> float:
    """A round top for the value axis at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    maximum: float | None = None,
    unit: str = "",
) -> SafeString:
    """Grouped bars, one group per label, one bar per series; None draws no bar."""
    values = [v for s in series for v in s.values if v is not None]
    if maximum is None:
        # Counts: a top that four gridlines divide into whole numbers.
        step = max(1, math.ceil(nice_max(max(values, default=0)) / 4))
        top = float(step * 4)
    else:
        top = maximum
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(labels))
    bar_w = max(1.0, group_w * 0.8 / max(1, len(series)))
    parts: list[SafeString] = []
    for step in range(5):
        level = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}{}</text>',
                LEFT,
                WIDTH - 8,
                _n(y),
                _n(y),
                LEFT - 4,
                _n(y + 4),
                _n(level),
                unit,
            )
        )
    every = max(1, math.ceil(len(labels) / 6))  # at most 6 labels: they must not overlap
    for index, label in enumerate(labels):
        x0 = LEFT + group_w * index + group_w * 0.1
        for offset, line in enumerate(series):
            value = line.values[index] if index < len(line.values) else None
            if value is None:
                continue
            height = plot_h * min(value, top) / top if top else 0
            parts.append(
                format_html(
                    '<rect class="chart-bar {}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {} {}{}</title></rect>",
                    line.css_class,
                    _n(x0 + bar_w * offset),
                    _n(TOP + plot_h - height),
                    _n(bar_w),
                    _n(height),
                    label,
                    line.name,
                    _n(value),
                    unit,
                )
            )
        if index % every == 0:
            parts.append(
                format_html(
                    '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(LEFT + group_w * index + group_w / 2),
                    HEIGHT - 8,
                    label,
                )
            )
    legend = format_html_join(
        "",
        '<li><svg class="chart-key" viewBox="0 0 10 10" aria-hidden="true" focusable="false">'
        '<rect class="chart-bar {}" width="10" height="10"></rect></svg> {}</li>',
        ((line.css_class, line.name) for line in series),
    )
    return format_html(
        '<figure class="chart"><svg viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>'
        '<figcaption><ul class="chart-legend">{}</ul></figcaption></figure>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(parts)),  # noqa: S308  (each part built by format_html)
        legend,
    )


def _n(value: float) -> str:
    """A coordinate or value without needless decimals."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
