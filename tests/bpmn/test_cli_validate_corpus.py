"""`onestop validate` over the whole corpus: exit 0, or `file:line: element: message` lines — never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, ROOT

LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<element>.*?): (?P<message>.+)$")
SUFFIXES = (".bpmn", ".dmn", ".xml")


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p) for p in CORPUS.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES) and "xsd" not in p.parts
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present beside the project")
def test_validate_command_reports_every_corpus_file_cleanly() -> None:
    files = corpus_files()
    assert len(files) >= 350
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "validate", *files], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode in (0, 1)
    lines = result.stdout.splitlines()
    bad = [line for line in lines if not LINE.match(line)]
    assert not bad, bad[:5]
    named = {LINE.match(line)["file"] for line in lines}  # type: ignore[index]
    assert named <= set(files)
    assert result.returncode == 1 and len(named) > 100  # the corpus holds many files we cannot run
    assert re.search(r"356 file\(s\): \d+ error\(s\)", result.stderr)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present beside the project")
def test_a_clean_file_exits_zero_and_a_broken_one_names_its_line() -> None:
    clean = subprocess.run(
        [sys.executable, "-m", "engine.cli", "validate", str(ROOT / "processes")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert clean.returncode == 0, clean.stdout
    broken = CORPUS / "camunda" / "modeler" / "broken"
    target = next(p for p in broken.iterdir() if "test__broken" in p.name)
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "validate", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    match = LINE.match(result.stdout.splitlines()[0])
    assert match and match["file"] == str(target) and int(match["line"]) > 1
