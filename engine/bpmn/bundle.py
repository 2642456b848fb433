"""The value types of a deployment bundle: its source files and what validating them found."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import Problem

SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"


@dataclass(frozen=True)
class SourceFile:
    """One uploaded file: ``name`` is how problems refer to it (a path or a bare file name)."""

    name: str
    content: bytes


@dataclass(frozen=True)
class ProcessInfo:
    """One ``<process>`` of a BPMN file, as Onestop sees it."""

    process_id: str
    name: str
    file: str
    is_executable: bool
    lanes: tuple[str, ...]
    form_refs: tuple[str, ...]
    called_elements: tuple[str, ...]
    decision_refs: tuple[str, ...]


@dataclass(frozen=True)
class DecisionInfo:
    """One ``<decision>`` of a DMN file."""

    decision_id: str
    name: str
    file: str


@dataclass
class ValidationReport:
    """Everything ``validate_files`` learned; deployable when ``ok``."""

    problems: list[Problem] = field(default_factory=list)
    processes: list[ProcessInfo] = field(default_factory=list)
    decisions: list[DecisionInfo] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == SEVERITY_ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == SEVERITY_ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != SEVERITY_ERROR]
