"""Horizontal bar charts drawn as inline SVG by the templates (no JavaScript, prints well)."""

from __future__ import annotations

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
