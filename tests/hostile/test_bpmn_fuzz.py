"""Damaged BPMN/DMN files (tests/hostile/bpmn_mutations) through ``onestop validate`` and through deploy.

The oracle: validate prints only ``file:line: element: message`` lines and exits 0 or 1; deploy either deploys
(and then the stored version loads into SpiffWorkflow) or raises ProcessDefinitionError with located problems.
Never a traceback, never an "internal error" from a checking step that crashed, never a hang (a timer per
example, and a hypothesis deadline). Examples are derandomized, so a run is repeatable and cannot flake;
ONESTOP_FUZZ_EXAMPLES sets how many (default 120 per test, half that for deploy).

Seeds: the shared corpus of real-world files (skipped when ../shared/corpus is absent) for validate; the
repository's own processes with their forms (which deploy cleanly before damage) for deploy.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from engine.bootstrap import Platform
from engine.cli import main as onestop
from engine.errors import Problem, ProcessDefinitionError
from engine.services.definitions import SourceFile
from tests.conftest import CORPUS, ROOT
from tests.hostile.bpmn_mutations import Mutant, mutants

#: more examples for a long hunt: ONESTOP_FUZZ_EXAMPLES=2000 pytest tests/hostile/test_bpmn_fuzz.py
EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "120"))
HANG_SECONDS = 20  # per example; a generous bound, far above the slowest real file (< 0.1 s)
#: words of a Python exception leaking into a message: a checking step crashed instead of explaining
PYTHON_ERRORS = re.compile(r"\b(Type|Attribute|Key|Index|XPathEval|Recursion|Name|Value|Overflow|Unicode\w*)Error\b")
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=10_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def _corpus_seeds() -> list[tuple[str, bytes]]:
    if not CORPUS.is_dir():
        return []
    skip = {"xsd", "licenses"}
    paths = sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".bpmn", ".dmn") and not skip & set(p.relative_to(CORPUS).parts)
    )
    # the big export files cost seconds per mutation and add nothing the small ones lack
    return [(p.relative_to(CORPUS).as_posix(), p.read_bytes()) for p in paths if p.stat().st_size < 200_000]


CORPUS_SEEDS = _corpus_seeds()
OWN_SEEDS = [(p.name, p.read_bytes()) for p in sorted((ROOT / "processes").glob("*.bpmn"))]
FORMS = [SourceFile(p.name, p.read_bytes()) for p in sorted((ROOT / "forms").glob("*.json"))]


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM: the sandbox uses sys.settrace, never signals)."""

    def _ring(_signum: int, _frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_explained(problem: Problem) -> None:
    assert isinstance(problem.line, int) and problem.line >= 1, problem
    assert problem.message.strip(), problem
    assert "internal error" not in problem.message, problem
    assert not PYTHON_ERRORS.search(problem.message), problem


def run_validate(mutant: Mutant) -> tuple[int, list[str], str]:
    """``onestop validate FILE`` in-process: exit code, stdout lines, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / mutant.name
        path.write_bytes(mutant.content)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit(HANG_SECONDS):
            code = onestop(["validate", str(path)])
        lines = out.getvalue().replace(str(path), mutant.name).splitlines()
    return code, lines, err.getvalue()


@pytest.mark.skipif(not CORPUS_SEEDS, reason=f"corpus folder {CORPUS} is absent")
@FUZZ
@given(mutant=mutants(CORPUS_SEEDS))
def test_validate_explains_every_damaged_corpus_file(mutant: Mutant) -> None:
    code, lines, err = run_validate(mutant)
    assert code in (0, 1), (code, err)
    assert "Traceback" not in err and re.search(r"1 file\(s\): \d+ error\(s\), \d+ warning\(s\)", err), err
    shape = re.compile(rf"^{re.escape(mutant.name)}:\d+: \S.*?: \S.*$")
    for line in lines:
        assert shape.match(line), line
        assert "internal error" not in line and not PYTHON_ERRORS.search(line), line
    assert (code == 1) == any(not line.endswith("(warning)") for line in lines), lines


@FUZZ
@given(mutant=mutants(OWN_SEEDS))
def test_validate_explains_every_damaged_own_process(mutant: Mutant) -> None:
    code, lines, err = run_validate(mutant)
    assert code in (0, 1) and "Traceback" not in err, (code, err)
    for line in lines:
        assert line.startswith(f"{mutant.name}:") and "internal error" not in line, line
        assert not PYTHON_ERRORS.search(line), line


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(mutant=mutants(OWN_SEEDS))
def test_deploy_refuses_or_deploys_a_loadable_version(platform: Platform, mutant: Mutant) -> None:
    definitions = platform.definitions
    try:
        with time_limit(HANG_SECONDS):
            deployed = definitions.deploy([SourceFile(mutant.name, mutant.content), *FORMS], actor="fuzz")
    except ProcessDefinitionError as error:
        assert error.problems, "a refusal names its problems"
        for problem in error.problems:
            assert_explained(problem)
        return
    for item in deployed:
        key = f"{item.version.process_id}@{item.version.version}"
        with time_limit(HANG_SECONDS):
            spec, _subprocesses = definitions.load_spec(key)  # validation said yes: the engine must agree
        assert spec is not None
