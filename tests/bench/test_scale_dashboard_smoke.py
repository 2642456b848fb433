"""The scale benchmark's dashboard at a tiny scale: ``--only dashboard`` times that read alone, its task count is
an index-only scan of ``human_tasks`` (no join to ``cases``), and the tasks the generator writes straight into
the database (without their window) get their case's window from the schedule rebuild, so the board's ready
tasks per window equal the join of each task to its case. No timings are asserted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bench import scale, scale_data, scale_reads
from engine.bootstrap import Platform


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Platform]:
    platform = scale.open_platform(f"sqlite:///{tmp_path / 'scale.db'}", tmp_path)
    try:
        lines: list[str] = []
        scale.fill(platform, 400, 80, reuse=False, out=lines.append)
        yield platform
    finally:
        platform.close()


def test_only_the_dashboard_is_timed_and_its_task_count_needs_no_join(tmp_path: Path) -> None:
    lines: list[str] = []
    argv = ["--completed", "300", "--open", "60", "--runs", "2", "--budget", "0", "--only", "dashboard", "--plans"]
    reads = scale.main(argv + ["--database", f"sqlite:///{tmp_path / 'only.db'}"], out=lines.append)
    assert [r.name for r in reads] == ["supervision dashboard (60 open)"]
    assert reads[0].problem is None and len(reads[0].times) == 2
    [tasks] = [v for v in reads[0].verdicts if "FROM human_tasks WHERE" in v and "GROUP" in v]
    assert "ix_human_tasks_ready_board" in tasks and "cases" not in tasks.split("|", 1)[1]
    assert any("--only dashboard" in line for line in lines)


def test_generated_tasks_get_their_case_window_and_the_board_counts_them(filled: Platform) -> None:
    now = datetime(*scale_data.NOW_LOCAL, tzinfo=filled.ctx.runtime_calendar().zone)
    board = filled.supervision.dashboard(scale_reads.SUPERVISOR, now)
    with filled.database.connect() as conn:
        missing = conn.execute(
            text(
                "SELECT count(*) FROM human_tasks h JOIN cases c ON c.instance_id = h.instance_id WHERE h.state = "
                '\'ready\' AND (h."window" IS NULL OR h."window" != c."window")'
            )
        ).scalar_one()
        joined = dict(
            conn.execute(
                text(
                    'SELECT c."window", count(*) FROM human_tasks h JOIN cases c ON c.instance_id = h.instance_id '
                    "WHERE h.state = 'ready' GROUP BY 1"
                )
            ).all()
        )
    assert missing == 0 and sum(joined.values()) > 0
    assert {w.code: w.open_tasks for w in board.windows if w.open_tasks} == joined
