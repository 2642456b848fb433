"""Validate and deploy BPMN/DMN/form files (each distinct bundle becomes a new version of its process), and
show designers what is deployed: the catalogue, a version's files, comparisons between versions, downloads."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from engine.bpmn.bundle import SEVERITY_ERROR
from engine.bpmn.compare import BundleComparison, compare_bundles
from engine.bpmn.loader import ProcessInfo, SourceFile, ValidationReport, build_specs, validate_files
from engine.domain.access import ADMIN, DESIGNER, Principal
from engine.domain.records import DefinitionFile, ProcessVersion
from engine.errors import NotFound, PermissionDenied, Problem, ProcessDefinitionError
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry

FORM_SUFFIXES = (".json",)
DMN_SUFFIXES = (".dmn",)
MAX_VERSION = 2**31 - 1  # process_versions.version is a 32-bit integer


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


@dataclass(frozen=True)
class ProcessSummary:
    """One row of the designer's catalogue: a process, its latest version and its unfinished instances."""

    process_id: str
    name: str
    versions: tuple[ProcessVersion, ...]  # oldest first
    open_instances: dict[int, int]  # version -> instances not yet ended (versions without any left out)

    @property
    def latest(self) -> ProcessVersion:
        return self.versions[-1]

    @property
    def total_open(self) -> int:
        return sum(self.open_instances.values())


@dataclass(frozen=True)
class StoredFile:
    name: str
    kind: str  # bpmn | dmn | form
    sha256: str
    size: int


@dataclass(frozen=True)
class VersionDetail:
    version: ProcessVersion
    files: tuple[StoredFile, ...]  # BPMN/DMN files, then forms
    open_instances: int
    latest_version: int


@dataclass(frozen=True)
class VersionComparison:
    """``old`` -> ``new``; ``new`` is None for an uploaded bundle not deployed yet, ``old`` is None when the
    process has no version yet (everything is added)."""

    process_id: str
    old: ProcessVersion | None
    new: ProcessVersion | None
    changes: BundleComparison


@dataclass(frozen=True)
class UploadCheck:
    """What validating an upload found, and for a valid one how it differs from each process's latest version."""

    problems: list[Problem]
    comparisons: list[VersionComparison] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == SEVERITY_ERROR for p in self.problems)


@dataclass(frozen=True)
class _Prepared:
    bundle: list[SourceFile]
    new_forms: dict[str, SourceFile]
    deployed_forms: dict[str, int]
    report: ValidationReport
    runnable: list[ProcessInfo]  # the executable processes the new files define


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

    def _prepare(self, uow: UnitOfWorkLike, files: Sequence[SourceFile]) -> _Prepared:
        """The new files with the deployed processes they call, validated against the deployed forms."""
        deployed_forms: dict[str, int] = uow.definitions.latest_form_files()
        new_forms = {Path(f.name).name: f for f in files if kind_of(f.name) == "form"}
        models = [f for f in files if kind_of(f.name) != "form"]
        bundle = self._with_dependencies(uow, models)
        report = validate_files(
            [*bundle, *new_forms.values()],
            form_names=set(deployed_forms) | set(new_forms),
            max_bytes=self._ctx.settings.max_definition_bytes,
        )
        new_names = {f.name for f in models}
        runnable = [i for i in report.processes if i.is_executable and i.file in new_names]
        if report.ok and not runnable:
            where = models[0].name if models else (files[0].name if files else "-")
            report.problems.append(Problem(where, 1, "", "no executable process found to deploy"))
        return _Prepared(bundle, new_forms, deployed_forms, report, runnable)

    def _deploy_once(self, files: Sequence[SourceFile], actor: str | None) -> list[Deployed]:
        with self._ctx.uow(write=True) as uow:
            prepared = self._prepare(uow, files)
            if not prepared.report.ok:
                raise ProcessDefinitionError(prepared.report.errors)
            now = self._ctx.now()
            file_ids = {
                f.name: uow.definitions.add_file(Path(f.name).name, kind_of(f.name), sha256(f.content), f.content, now)
                for f in prepared.bundle
            }
            form_ids = dict(prepared.deployed_forms)
            for name, form in prepared.new_forms.items():
                form_ids[name] = uow.definitions.add_file(name, "form", sha256(form.content), form.content, now)
            results = [
                self._version(uow, info, prepared.report, prepared.bundle, file_ids, form_ids, actor, now)
                for info in prepared.runnable
            ]
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

    # -- what designers and administrators see ----------------------------------------------------------
    @staticmethod
    def _require(principal: Principal, *roles: str) -> None:
        if not any(principal.has_role(r) for r in roles):
            raise PermissionDenied(f"this needs one of the roles: {', '.join(roles)}")

    def catalogue(self, principal: Principal) -> list[ProcessSummary]:
        """Every deployed process with its versions and how many instances of each are still open."""
        self._require(principal, DESIGNER, ADMIN)
        with self._ctx.uow() as uow:
            versions: list[ProcessVersion] = uow.definitions.list_versions()
            open_counts: dict[tuple[str, int], int] = uow.instances.open_counts_by_version()
        by_process: dict[str, list[ProcessVersion]] = {}
        for version in versions:
            by_process.setdefault(version.process_id, []).append(version)
        return [
            ProcessSummary(
                process_id=process_id,
                name=found[-1].name,
                versions=tuple(found),
                open_instances={v: n for (pid, v), n in sorted(open_counts.items()) if pid == process_id},
            )
            for process_id, found in sorted(by_process.items())
        ]

    def process(self, principal: Principal, process_id: str) -> ProcessSummary:
        found = next((p for p in self.catalogue(principal) if p.process_id == process_id), None)
        if found is None:
            raise NotFound(f"process {process_id!r} is not deployed")
        return found

    def _stored(self, uow: UnitOfWorkLike, process_id: str, version: int) -> ProcessVersion:
        # a number outside the column's range names no version (and SQLite's driver would overflow on it)
        in_range = 1 <= version <= MAX_VERSION
        found: ProcessVersion | None = uow.definitions.get_version(process_id, version) if in_range else None
        if found is None:
            raise NotFound(f"process {process_id!r} version {version} is not deployed")
        return found

    @staticmethod
    def _bundle_of(uow: UnitOfWorkLike, version: ProcessVersion) -> tuple[list[DefinitionFile], list[DefinitionFile]]:
        """(BPMN/DMN files, form files) of a deployed version."""
        return list(uow.definitions.files(list(version.file_ids))), list(
            uow.definitions.files(list(version.forms.values()))
        )

    def version_detail(self, principal: Principal, process_id: str, version: int) -> VersionDetail:
        self._require(principal, DESIGNER, ADMIN)
        with self._ctx.uow() as uow:
            found = self._stored(uow, process_id, version)
            models, forms = self._bundle_of(uow, found)
            latest = uow.definitions.latest_version(process_id)
            open_counts = uow.instances.open_counts_by_version()
        return VersionDetail(
            version=found,
            files=tuple(StoredFile(f.name, f.kind, f.sha256, len(f.content)) for f in [*models, *forms]),
            open_instances=open_counts.get((process_id, version), 0),
            latest_version=latest.version if latest else version,
        )

    def compare(self, principal: Principal, process_id: str, from_version: int, to_version: int) -> VersionComparison:
        """What changed in a process from one deployed version to another (either order)."""
        self._require(principal, DESIGNER, ADMIN)
        with self._ctx.uow() as uow:
            old, new = self._stored(uow, process_id, from_version), self._stored(uow, process_id, to_version)
            (old_models, old_forms), (new_models, new_forms) = self._bundle_of(uow, old), self._bundle_of(uow, new)
        changes = compare_bundles(
            _sources(old_models),
            _sources(new_models),
            _sources(old_forms),
            _sources(new_forms),
            max_bytes=self._max_bytes,
        )
        return VersionComparison(process_id, old, new, changes)

    def download(self, principal: Principal, process_id: str, version: int) -> tuple[str, str, bytes]:
        """(file name, content type, bytes): the BPMN file itself for a one-file bundle, else a zip of its files."""
        self._require(principal, DESIGNER, ADMIN)
        with self._ctx.uow() as uow:
            found = self._stored(uow, process_id, version)
            models, forms = self._bundle_of(uow, found)
        files = [*models, *forms]
        if len(files) == 1:
            return files[0].name, "application/xml", files[0].content
        buffer = io.BytesIO()
        stamp = max(found.deployed_at.timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip dates start in 1980
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in dict.fromkeys(f.name for f in files):  # a name twice would clash in the archive
                content = next(f.content for f in files if f.name == name)
                archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, zipfile.ZIP_DEFLATED)
        return f"{process_id}-v{version}.zip", "application/zip", buffer.getvalue()

    def check_upload(self, principal: Principal, files: Sequence[SourceFile]) -> UploadCheck:
        """Validate files as ``deploy`` would; when valid, compare each process with its latest version."""
        self._require(principal, DESIGNER, ADMIN)
        with self._ctx.uow() as uow:
            prepared = self._prepare(uow, files)
            if not prepared.report.ok:
                return UploadCheck(prepared.report.problems)
            comparisons = [self._against_latest(uow, info, prepared) for info in prepared.runnable]
        return UploadCheck(prepared.report.problems, comparisons)

    def _against_latest(self, uow: UnitOfWorkLike, info: ProcessInfo, prepared: _Prepared) -> VersionComparison:
        needed, form_refs = self._closure(info, prepared.report)
        reused = [prepared.deployed_forms.get(r) for r in sorted(form_refs) if r not in prepared.new_forms]
        new_forms = [prepared.new_forms[r] for r in sorted(form_refs) if r in prepared.new_forms]
        new_forms += _sources(uow.definitions.files([i for i in reused if i is not None]))
        latest: ProcessVersion | None = uow.definitions.latest_version(info.process_id)
        old_models, old_forms = self._bundle_of(uow, latest) if latest else ([], [])
        changes = compare_bundles(
            _sources(old_models),
            [f for f in prepared.bundle if f.name in needed],
            _sources(old_forms),
            new_forms,
            max_bytes=self._max_bytes,
        )
        return VersionComparison(info.process_id, latest, None, changes)

    def upload(self, principal: Principal, files: Sequence[SourceFile]) -> list[Deployed]:
        """Deploy on behalf of a designer (the role the API's upload requires)."""
        self._require(principal, DESIGNER)
        return self.deploy(files, actor=principal.username)

    @property
    def _max_bytes(self) -> int:
        return self._ctx.settings.max_definition_bytes


def _sources(files: Sequence[DefinitionFile]) -> list[SourceFile]:
    return [SourceFile(f.name, f.content) for f in files]
