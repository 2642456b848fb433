"""Validate and deploy BPMN/DMN/form files: each distinct bundle becomes a new version of its process."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from engine.bpmn.loader import ProcessInfo, SourceFile, ValidationReport, build_specs, validate_files
from engine.domain.records import DefinitionFile, ProcessVersion
from engine.errors import NotFound, Problem, ProcessDefinitionError
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry

FORM_SUFFIXES = (".json",)
DMN_SUFFIXES = (".dmn",)


def kind_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith(FORM_SUFFIXES):
        return "form"
    if lower.endswith(DMN_SUFFIXES):
        return "dmn"
    return "bpmn"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Deployed:
    version: ProcessVersion
    created: bool  # False when the identical bundle was deployed before


def read_paths(paths: Sequence[Path]) -> list[SourceFile]:
    """Files named on the command line; a folder stands for its BPMN, DMN and JSON files."""
    files: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in {".bpmn", ".dmn", ".json", ".xml"}:
                    files.append(SourceFile(str(child), child.read_bytes()))
        else:
            files.append(SourceFile(str(path), path.read_bytes()))
    return files


class DefinitionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def validate(self, files: Sequence[SourceFile], form_names: set[str] | None = None) -> ValidationReport:
        if form_names is None:
            form_names = {Path(f.name).name for f in files if kind_of(f.name) == "form"}
            form_names |= (
                {p.name for p in self._ctx.settings.forms_dir.glob("*.json")}
                if self._ctx.settings.forms_dir.is_dir()
                else set()
            )
        return validate_files(files, form_names=form_names, max_bytes=self._ctx.settings.max_definition_bytes)

    def deploy(self, files: Sequence[SourceFile], actor: str | None = None) -> list[Deployed]:
        if not files:
            raise ProcessDefinitionError([Problem("-", 1, "", "nothing to deploy")])
        # two deploys of one process at once: the loser's insert collides and the deploy runs again
        return with_retry(3, partial(self._deploy_once, files, actor))

    def _deploy_once(self, files: Sequence[SourceFile], actor: str | None) -> list[Deployed]:
        with self._ctx.uow(write=True) as uow:
            deployed_forms: dict[str, int] = uow.definitions.latest_form_files()
            new_forms = {Path(f.name).name: f for f in files if kind_of(f.name) == "form"}
            models = [f for f in files if kind_of(f.name) != "form"]
            bundle = self._with_dependencies(uow, models)
            report = validate_files(
                [*bundle, *new_forms.values()],
                form_names=set(deployed_forms) | set(new_forms),
                max_bytes=self._ctx.settings.max_definition_bytes,
            )
            errors = [p for p in report.problems if p.severity == "error"]
            if errors:
                raise ProcessDefinitionError(errors)
            now = self._ctx.now()
            file_ids = {
                f.name: uow.definitions.add_file(Path(f.name).name, kind_of(f.name), sha256(f.content), f.content, now)
                for f in bundle
            }
            form_ids = dict(deployed_forms)
            for name, form in new_forms.items():
                form_ids[name] = uow.definitions.add_file(name, "form", sha256(form.content), form.content, now)
            new_names = {f.name for f in models}
            results = [
                self._version(uow, info, report, bundle, file_ids, form_ids, actor, now)
                for info in report.processes
                if info.is_executable and info.file in new_names
            ]
            if not results:
                raise ProcessDefinitionError(
                    [Problem(models[0].name if models else "-", 1, "", "no executable process found to deploy")]
                )
            uow.commit()
        return results

    @staticmethod
    def _closure(info: ProcessInfo, report: ValidationReport) -> tuple[set[str], set[str]]:
        """The files a process needs (its own, the processes it calls, its decisions) and its form names."""
        by_id = {p.process_id: p for p in report.processes}
        seen, stack = {info.process_id}, [info]
        files: set[str] = set()
        forms: set[str] = set()
        decisions: set[str] = set()
        while stack:
            current = stack.pop()
            files.add(current.file)
            forms.update(current.form_refs)
            decisions.update(current.decision_refs)
            for called in current.called_elements:
                if called in by_id and called not in seen:
                    seen.add(called)
                    stack.append(by_id[called])
        files.update(d.file for d in report.decisions if d.decision_id in decisions)
        return files, forms

    def _version(
        self,
        uow: UnitOfWorkLike,
        info: ProcessInfo,
        report: ValidationReport,
        bundle: list[SourceFile],
        file_ids: dict[str, int],
        form_ids: dict[str, int],
        actor: str | None,
        now: datetime,
    ) -> Deployed:
        """A new version unless the process's own bundle is identical to its latest version's."""
        repo = uow.definitions
        needed_files, form_refs = self._closure(info, report)
        used = [f for f in bundle if f.name in needed_files]
        forms = {ref: form_ids[ref] for ref in sorted(form_refs) if ref in form_ids}
        parts = sorted(sha256(f.content) for f in used) + [f"{k}={v}" for k, v in forms.items()]
        bundle_hash = sha256("\n".join(parts).encode())
        latest = repo.latest_version(info.process_id)
        if latest is not None and latest.bundle_sha256 == bundle_hash:
            return Deployed(latest, created=False)
        defining = next(f for f in used if f.name == info.file)
        version = repo.add_version(
            process_id=info.process_id,
            name=info.name or info.process_id,
            sha256=sha256(defining.content),
            bundle_sha256=bundle_hash,
            file_ids=[file_ids[f.name] for f in used],
            forms=forms,
            department=None,
            starter_roles=[],
            now=now,
            actor=actor,
        )
        return Deployed(version, created=True)

    def _with_dependencies(self, uow: UnitOfWorkLike, models: list[SourceFile]) -> list[SourceFile]:
        """Add the deployed files that provide processes called from, and not defined in, the new files."""
        repo = uow.definitions
        bundle = list(models)
        report = validate_files(models, form_names=None, max_bytes=self._ctx.settings.max_definition_bytes)
        defined = {p.process_id for p in report.processes}
        decisions = {d.decision_id for d in report.decisions}
        wanted_calls = {c for p in report.processes for c in p.called_elements} - defined
        wanted_decisions = {d for p in report.processes for d in p.decision_refs} - decisions
        seen = {sha256(f.content) for f in bundle}
        for process_id in sorted(wanted_calls):
            version = repo.get_version(process_id)
            if version is not None:
                self._add_files(repo.files(list(version.file_ids)), bundle, seen)
        if wanted_decisions:
            self._add_files([f for f in repo.latest_files_of_kind("dmn")], bundle, seen)
        return bundle

    @staticmethod
    def _add_files(files: list[DefinitionFile], bundle: list[SourceFile], seen: set[str]) -> None:
        for stored in files:
            if stored.sha256 not in seen and stored.kind != "form":
                seen.add(stored.sha256)
                bundle.append(SourceFile(stored.name, stored.content))

    def list_versions(self) -> list[ProcessVersion]:
        with self._ctx.uow() as uow:
            return list(uow.definitions.list_versions())

    def get_version(self, process_id: str, version: int | None = None) -> ProcessVersion:
        with self._ctx.uow() as uow:
            found = uow.definitions.get_version(process_id, version)
        if found is None:
            raise NotFound(f"process {process_id!r} version {version or 'latest'} is not deployed")
        return found

    def source_files(self, version: ProcessVersion) -> list[DefinitionFile]:
        with self._ctx.uow() as uow:
            return list(uow.definitions.files(list(version.file_ids)))

    def load_spec(self, spec_key: str) -> tuple[object, dict[str, object]]:
        """SpecCache loader: parse the stored bundle of ``process_id@version``."""
        process_id, _, version = spec_key.rpartition("@")
        found = self.get_version(process_id, int(version))
        files = [SourceFile(f.name, f.content) for f in self.source_files(found)]
        return build_specs(files, process_id)

    def form_content(self, file_id: int) -> bytes:
        with self._ctx.uow() as uow:
            files = uow.definitions.files([file_id])
        if not files:
            raise NotFound(f"form file {file_id} not found")
        return files[0].content
