"""Small server-side charts as inline SVG (grouped bars, lines), so report pages and their printouts need no
script. Every label is escaped; the markup is returned as Markup for the templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = ("#2563eb", "#16a34a", "#b91c1c", "#d97706")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 90  # room for the axis numbers and the slanted category names


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def _scale_top(series: Sequence[Series]) -> float:
    """A round upper bound of the axis: 1, 2 or 5 times a power of ten, at least 1."""
    peak = max((v for s in series for v in s.values), default=0.0)
    step = 1.0
    while step * 10 < peak:
        step *= 10
    for factor in (1, 2, 5, 10):
        if peak <= step * factor:
            return step * factor
    return step * 10


def _frame(title: str, categories: Sequence[str], series: Sequence[Series], top: float) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<text x="{LEFT}" y="16" font-size="13" font-weight="600">{escape(title)}</text>']
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value:g}</text>')
    for n, s in enumerate(series):  # the legend, top right
        x = WIDTH - RIGHT - 110 * (len(series) - n)
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{COLOURS[n % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="15" font-size="11">{escape(s.name)}</text>')
    return parts


def _category_label(x: float, label: str) -> str:
    y = HEIGHT - BOTTOM + 12
    short = label if len(label) <= 12 else label[:11] + "…"
    return (
        f'<text x="{x:.1f}" y="{y}" font-size="10" text-anchor="end" transform="rotate(-35 {x:.1f} {y})">'
        f"<title>{escape(label)}</title>{escape(short)}</text>"
    )


def _svg(title: str, parts: list[str]) -> Markup:
    return Markup(  # noqa: S704 - every text inside was escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart" font-family="sans-serif">' + "".join(parts) + "</svg>"
    )


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """Grouped bars: one group per category, one bar per series, the value above each bar."""
    top = _scale_top(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _frame(title, categories, series, top)
    slot = plot_w / max(len(categories), 1)
    bar = slot * 0.8 / max(len(series), 1)
    for c, label in enumerate(categories):
        for n, s in enumerate(series):
            value = s.values[c]
            h = plot_h * value / top
            x = LEFT + slot * c + slot * 0.1 + bar * n
            y = TOP + plot_h - h
            colour = COLOURS[n % len(COLOURS)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)} · {escape(s.name)}: {value:g}</title></rect>"
            )
        parts.append(_category_label(LEFT + slot * (c + 0.5), label))
    return _svg(title, parts)


def line_chart(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """One polyline per series over the categories (e.g. months), a dot and a tooltip at each point."""
    top = _scale_top(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _frame(title, categories, series, top)
    step = plot_w / max(len(categories), 1)
    xs = [LEFT + step * (c + 0.5) for c in range(len(categories))]
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x, TOP + plot_h - plot_h * v / top) for x, v in zip(xs, s.values, strict=True)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), label, value in zip(points, categories, s.values, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)} · {escape(s.name)}: {value:g}</title></circle>"
            )
    parts += [_category_label(x, label) for x, label in zip(xs, categories, strict=True)]
    return _svg(title, parts)
