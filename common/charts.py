"""Charts drawn as inline SVG by the templates (no JavaScript, prints well): horizontal bars, columns
(stacked or side by side) and pies."""

from __future__ import annotations

import math

BAR_HEIGHT = 20
BAR_GAP = 8
MAX_BAR_WIDTH = 170


def bar_chart(items: list[tuple[str, int]]) -> dict:
    """[(label, value)] → geometry for the `chart` SVG in templates."""
    largest = max((value for _label, value in items), default=0)
    bars = [
        {
            "label": label,
            "value": value,
            "width": round(MAX_BAR_WIDTH * value / largest) if largest else 0,
            "y": index * (BAR_HEIGHT + BAR_GAP),
        }
        for index, (label, value) in enumerate(items)
    ]
    return {"bars": bars, "height": max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT)}


COLUMN_AREA_HEIGHT = 160
COLUMN_WIDTH = 34
COLUMN_GAP = 14
SERIES_CLASSES = 8  # .s0 … .s7 in kyodo.css


def column_chart(columns: list[str], series: list[tuple[str, list[int]]], *, stacked: bool = True,
                 target: float | None = None) -> dict:
    """Vertical columns per label (a 年度, a month), the series stacked in one column or side by side.

    [(series label, [value per column])] → geometry for the `_column_chart.html` SVG. `target` draws a
    horizontal line at that value (a monthly target, say)."""
    per_column = len(series) if not stacked else 1
    slot = COLUMN_WIDTH * per_column + COLUMN_GAP
    heights = [sum(values[i] for _label, values in series) if stacked else max((v[i] for _l, v in series), default=0)
               for i in range(len(columns))]
    largest = max([*heights, target or 0, 1])
    scale = COLUMN_AREA_HEIGHT / largest
    bars = []
    for i, _column in enumerate(columns):
        base = COLUMN_AREA_HEIGHT
        for s, (label, values) in enumerate(series):
            height = round(values[i] * scale, 1)
            x = i * slot + (0 if stacked else s * COLUMN_WIDTH)
            y = base - height
            bars.append({"x": x, "y": y, "height": height, "width": COLUMN_WIDTH, "value": values[i],
                         "css": f"s{s % SERIES_CLASSES}", "series": label})
            if stacked:
                base = y
    return {
        "bars": [b for b in bars if b["value"]],
        "labels": [{"x": i * slot + (COLUMN_WIDTH * per_column) / 2, "text": column, "total": heights[i]}
                   for i, column in enumerate(columns)],
        "legend": [{"label": label, "css": f"s{s % SERIES_CLASSES}"} for s, (label, _values) in enumerate(series)],
        "width": max(len(columns) * slot, slot),
        "area": COLUMN_AREA_HEIGHT,
        "height": COLUMN_AREA_HEIGHT + 40,
        "target_y": round(COLUMN_AREA_HEIGHT - target * scale, 1) if target else None,
        "stacked": stacked,
    }


def pie_chart(items: list[tuple[str, int]], *, radius: int = 70) -> dict:
    """[(label, value)] → SVG arc paths of a pie, with each slice's share in percent."""
    total = sum(value for _label, value in items)
    slices, angle = [], -math.pi / 2
    for index, (label, value) in enumerate(items):
        if not value:
            continue
        sweep = 2 * math.pi * value / total
        end = angle + sweep
        x1, y1 = radius + radius * math.cos(angle), radius + radius * math.sin(angle)
        x2, y2 = radius + radius * math.cos(end), radius + radius * math.sin(end)
        large = 1 if sweep > math.pi else 0
        if value == total:  # one slice: a full circle (an arc cannot start and end at one point)
            path = f"M {radius} 0 A {radius} {radius} 0 1 1 {radius - 0.01} 0 Z"
        else:
            path = f"M {radius} {radius} L {x1:.2f} {y1:.2f} A {radius} {radius} 0 {large} 1 {x2:.2f} {y2:.2f} Z"
        slices.append({"label": label, "value": value, "percent": round(100 * value / total, 1), "path": path,
                       "css": f"s{index % SERIES_CLASSES}"})
        angle = end
    return {"slices": slices, "size": radius * 2, "total": total}
