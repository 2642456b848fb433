"""The metrics' table for the README (Markdown), generated from engine/domain/metrics.py METRICS so the written
definitions are the computed ones; tests/unit/test_metrics_documented.py checks the README carries every row."""

from __future__ import annotations

from engine.domain import metrics
from engine.services.stats_export import BASIS_LABELS, UNIT_LABELS


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a pipe would end the cell


def metrics_table() -> str:
    """One row per metric: key, 中文名, unit, basis (English and Chinese), definition."""
    lines = [
        "| Key | 中文名 | Unit | Basis | Definition |",
        "|---|---|---|---|---|",
    ]
    for m in metrics.METRICS:
        basis = f"{m.basis} · {BASIS_LABELS[m.basis]}"
        lines.append(f"| `{m.key}` | {_cell(m.zh)} | {UNIT_LABELS[m.unit]} | {basis} | {_cell(m.definition)} |")
    return "\n".join(lines) + "\n"


def groupings_table() -> str:
    """One row per grouping a report offers, with what it means."""
    lines = ["| Grouping | Meaning |", "|---|---|"]
    lines += [f"| `{by}` | {_cell(metrics.GROUPING_NOTES[by])} |" for by in metrics.GROUPINGS]
    return "\n".join(lines) + "\n"
