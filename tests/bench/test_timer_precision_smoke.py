"""The timer-precision benchmark's code path at a tiny scale (bench/timer_precision.py): 50 timers due within
3 s, fired by a real scheduler process on the wall clock. Asserts its consistency checks (every timer fired
exactly once, none early, lateness recorded for each); the only time bound is a generous one that a working
scheduler cannot miss, so the test cannot flake on a busy machine."""

from __future__ import annotations

from bench import timer_precision

TIMERS = 50


def test_timer_precision_bench_fires_every_timer_once_and_records_lateness() -> None:
    lines: list[str] = []
    figures = timer_precision.main(
        ["--timers", str(TIMERS), "--window", "3", "--batch", "20", "--grace", "60"], out=lines.append
    )
    assert figures["fired"] == TIMERS, lines
    assert figures["fired_twice"] == 0 and figures["never_fired"] == 0, lines
    assert figures["shares"] == [TIMERS]  # the one scheduler process says it fired what the history holds
    assert 0 <= figures["min_s"] <= figures["p50_s"] <= figures["p99_s"] <= figures["max_s"] < 10, lines
    assert any(line.startswith("lateness:") for line in lines) and any("goal p99<=1s" in line for line in lines)
