"""Bar charts drawn on the server as inline SVG: no script, no CDN (nothing external is
reachable from the deployments), and they print."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Series colours: the brand red, the link blue, green, amber (the stylesheet's palette).
COLOURS = ("#b3261e", "#0b6bcb", "#1e7d43", "#8a5a00")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


def bar_chart(rows: Sequence[str], series: Sequence[Series], *, title: str,
              show: Callable[[int], str] = str, empty: str = "", width: int = 640) -> Markup:
    """Horizontal grouped bars: one group per row label, one bar per series.

    Horizontal, because row labels are Chinese names of any length. Each bar carries its
    value as text (``show(value)``), so the chart is read without a scale and the numbers
    survive printing. A row whose values are all zero shows ``empty`` once instead of a
    stack of zeros.
    """
    bar_h, gap, label_w, pad = 16, 10, 150, 8
    top = 28
    group_h = bar_h * len(series) + gap
    height = top + group_h * len(rows) + 8
    peak = max((v for s in series for v in s.values), default=0) or 1
    span = width - label_w - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    x = label_w
    for i, s in enumerate(series):  # the legend, along the top
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="16" class="legend">{escape(s.label)}</text>')
        x += 24 + 14 * len(s.label) + 6 * sum(c.isascii() for c in s.label) // 2
    for r, label in enumerate(rows):
        y0 = top + r * group_h
        parts.append(f'<text x="{label_w - pad}" y="{y0 + group_h / 2}" class="row" '
                     f'text-anchor="end" dominant-baseline="middle">{escape(label)}</text>')
        if empty and not any(s.values[r] for s in series):
            parts.append(f'<text x="{label_w}" y="{y0 + group_h / 2}" class="value empty" '
                         f'dominant-baseline="middle">{escape(empty)}</text>')
            continue
        for i, s in enumerate(series):
            value = s.values[r]
            w = round(span * value / peak)
            y = y0 + i * bar_h
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h - 3}" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"/>'
                         f'<text x="{label_w + w + 4}" y="{y + bar_h / 2}" class="value" '
                         f'dominant-baseline="middle">{escape(show(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def percent(permille: int) -> str:
    """A share kept in ‰ (integers, exact) shown as a percentage: 138 → "13.8%"."""
    whole, tenth = divmod(permille, 10)
    return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"
