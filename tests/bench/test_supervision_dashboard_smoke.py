"""The supervision-dashboard benchmark's code path at a tiny scale (bench/supervision_dashboard.py): seeded
cases, the colour-schedule rebuild, the page, the service and the API answer; the board's colour counts equal
the per-case clock readings, the ready tasks per window equal the join to their cases, and the count, list and
task queries use their indexes. No timings are asserted."""

from __future__ import annotations

from bench import supervision_dashboard


def test_the_benchmark_runs_small_with_exact_colours_and_indexed_plans() -> None:
    lines: list[str] = []
    figures = supervision_dashboard.main(["--cases", "150", "--runs", "1"], out=lines.append)
    assert figures["exact"] and figures["indexed"] and figures["tasks_exact"]
    assert figures["scheduled"] > 100 and sum(figures["colours"].values()) == figures["scheduled"]
    assert figures["open"] == 150 and figures["warned"] > 0
    assert any("ix_case_colours_board" in line for line in lines)
    assert any(line.startswith("plan tasks") and "ix_human_tasks_ready_board" in line for line in lines)
