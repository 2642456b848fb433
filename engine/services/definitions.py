"""Validate and deploy BPMN/DMN/form files: each distinct bundle becomes a new version of its process."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.bpmn.loader import ProcessInfo, SourceFile, ValidationReport, build_specs, validate_files
from engine.domain.records import DefinitionFile, ProcessVersion
from engine.errors import NotFound, Problem, ProcessDefinitionError
from engine.services.context import ServiceContext, UnitOfWorkLike

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
            results = []
            for info in report.processes:
                if not info.is_executable or info.file not in new_names:
                    continue
                forms = {ref: form_ids[ref] for ref in info.form_refs if ref in form_ids}
                results.append(self._version(uow, info, bundle, file_ids, forms, actor, now))
            if not results:
                raise ProcessDefinitionError(
                    [Problem(models[0].name if models else "-", 1, "", "no executable process found to deploy")]
                )
            uow.commit()
        return results

    @staticmethod
    def _version(
        uow: UnitOfWorkLike,
        info: ProcessInfo,
        bundle: list[SourceFile],
        file_ids: dict[str, int],
        forms: dict[str, int],
        actor: str | None,
        now: datetime,
    ) -> Deployed:
        repo = uow.definitions
        defining = next(f for f in bundle if f.name == info.file)
        parts = sorted(sha256(f.content) for f in bundle) + [f"{k}={v}" for k, v in sorted(forms.items())]
        bundle_hash = sha256("\n".join(parts).encode())
        existing = repo.version_by_bundle(info.process_id, bundle_hash)
        if existing is not None:
            return Deployed(existing, created=False)
        version = repo.add_version(
            process_id=info.process_id,
            name=info.name or info.process_id,
            sha256=sha256(defining.content),
            bundle_sha256=bundle_hash,
            file_ids=[file_ids[f.name] for f in bundle],
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
