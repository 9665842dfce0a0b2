"""A small per-day trend drawn on the server as inline SVG: no JavaScript, no CDN, works offline.

Bars for up to ``MAX_BARS`` values; longer series are first added up into equal buckets (a year of days
becomes weekly bars), so every bar stays at least a pixel or two wide. The SVG carries a Japanese text
alternative (``role="img"``, ``aria-label`` and ``<title>``) saying the period's total and busiest day.
"""

from __future__ import annotations

from html import escape

MAX_BARS = 92


def buckets(values: list[int], most: int = MAX_BARS) -> tuple[list[int], int]:
    """(``values`` summed into at most ``most`` buckets, days per bucket)."""
    size = max(1, -(-len(values) // most))
    return [sum(values[i : i + size]) for i in range(0, len(values), size)], size


def bars(values: list[int], *, label: str, width: int = 120, height: int = 28, colour: str = "#1f7a52") -> str:
    """SVG markup of ``values`` as bars (0 shows as an empty slot); ``label`` names what is counted."""
    grouped, size = buckets(values)
    total, peak = sum(values), max(grouped, default=0)
    unit = "日" if size == 1 else f"{size}日"
    text = f"{label}の推移（{unit}ごと）: 合計 {total:,}、最多 {peak:,}"
    parts = [
        f'<svg class="tb-spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(text)}">',
        f"<title>{escape(text)}</title>",
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="#c9d6ce" stroke-width="1"/>',
    ]
    if grouped and peak > 0:
        step = width / len(grouped)
        gap = 1 if step >= 3 else 0
        for i, value in enumerate(grouped):
            if value <= 0:
                continue
            h = max(1.0, (height - 2) * value / peak)
            x, y = i * step, height - 1 - h
            parts.append(
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{max(step - gap, 0.6):.2f}" height="{h:.2f}" fill="{colour}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
