"""The drills' platform: a database made ready for the drill process, and the real ``onestop`` processes on it.

``prepare`` migrates the database and adds what the drill needs (its own department, clerks and the drill
process), idempotently, so a drill may run on a database that already holds other data. ``Stack`` starts the
platform as an operator would — ``onestop serve`` (which runs the timer scheduler in-process) plus separate
``onestop scheduler`` processes — and can SIGKILL and restart them.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from engine.bootstrap import Platform, build_platform
from engine.config import Settings
from engine.services.definitions import read_paths

ROOT = Path(__file__).resolve().parent.parent
DRILL_BPMN = Path(__file__).resolve().parent / "drill.bpmn"
PROCESS_ID = "fault_drill"
DEPARTMENT = "DRILL"
PASSWORD = "drill-pw-2026"  # noqa: S105 - the throwaway drill accounts' password
SECRET_KEY = "onestop-fault-drill"  # noqa: S105 - a drill key; the same key across restarts, so the clients' tokens stay valid
# run the ``onestop`` command with this interpreter (the entry-point script may not be on PATH)
CLI = ["-c", "import sys; from engine.cli import main; sys.exit(main(sys.argv[1:]))"]


def clerk_names(count: int) -> list[str]:
    return [f"drill_clerk_{n}" for n in range(1, count + 1)]


def seconds_of(duration: str) -> float:
    """PT3S → 3.0 (the drill's timer durations are whole or fractional seconds)."""
    return float(duration.removeprefix("PT").removesuffix("S"))


def settings_for(url: str, workdir: Path) -> Settings:
    return Settings.from_env(
        env={},
        database_url=url,
        instance_dir=workdir,
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
        secret_key=SECRET_KEY,
        password_hashing="fast",  # noqa: S106 - a cost profile name
    )


def prepare(url: str, workdir: Path, clerks: int) -> Platform:
    """Migrate, then add the drill's department, clerks (window officers there) and process; idempotent."""
    platform = build_platform(settings_for(url, workdir), migrate=True)
    platform.calendar.ensure_current_years()
    platform.accounts.add_department(DEPARTMENT, "故障演练科")
    for name in clerk_names(clerks):
        platform.accounts.add_user(name, PASSWORD, ["window_officer"], DEPARTMENT)
    platform.definitions.deploy(read_paths([DRILL_BPMN]), actor="faults")
    return platform


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """``onestop serve`` (with its in-process scheduler) and ``schedulers`` separate scheduler processes."""

    url: str
    workdir: Path
    schedulers: int = 1
    port: int = field(default_factory=free_port)
    web: subprocess.Popen[bytes] | None = None
    scheduler_procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    starts: int = 0

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            ONESTOP_DATABASE_URL=self.url,
            ONESTOP_INSTANCE_DIR=str(self.workdir),
            ONESTOP_SECRET_KEY=SECRET_KEY,
            ONESTOP_PASSWORD_HASHING="fast",  # noqa: S106 - a cost profile name
            PYTHONPATH=str(ROOT),
        )
        return env

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        self.starts += 1
        with (self.workdir / f"{name}.log").open("ab") as log:  # the child keeps its own copy of the handle
            log.write(f"\n--- start {self.starts} at {datetime.now(UTC).isoformat()}\n".encode())
            log.flush()
            return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, *CLI, *args], cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        """Start every process and wait until the web server answers its health check."""
        self.web = self._spawn("web", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--threads", "8")
        self.scheduler_procs = [self._spawn(f"scheduler-{n}", "scheduler") for n in range(self.schedulers)]
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is not None and self.web.poll() is not None:
                raise RuntimeError(f"the web server exited ({self.web.returncode}); see {self.workdir}/web.log")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the web server did not answer within {timeout:.0f} s; see {self.workdir}/web.log")

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in [self.web, *self.scheduler_procs] if p is not None]

    def kill(self) -> int:
        """SIGKILL every platform process (no clean-up runs); returns how many were alive."""
        alive = 0
        for proc in self.processes():
            if proc.poll() is None:
                alive += 1
                proc.send_signal(signal.SIGKILL)
        for proc in self.processes():
            proc.wait(timeout=10)
        return alive

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes())

    def stop(self) -> None:
        """The ordinary shutdown: SIGTERM (the scheduler command stops cleanly), SIGKILL after 10 s."""
        for proc in self.processes():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.workdir.glob("*.log")):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            out.append(f"== {path.name}\n" + "\n".join(text[-lines:]))
        return "\n".join(out)


def machine() -> str:
    """The machine line every drill prints with its figures."""
    import platform as host

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {host.python_version()}"
