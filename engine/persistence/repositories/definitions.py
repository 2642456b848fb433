"""Deployed definition files (stored once per content hash) and process versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from engine.domain.records import DefinitionFile, ProcessVersion
from engine.persistence.tables import definition_files, process_versions


def _version(row: Row[Any]) -> ProcessVersion:
    m = row._mapping
    return ProcessVersion(
        id=m["id"],
        process_id=m["process_id"],
        version=m["version"],
        name=m["name"],
        sha256=m["sha256"],
        bundle_sha256=m["bundle_sha256"],
        file_ids=tuple(m["file_ids"]),
        forms=dict(m["forms"]),
        deployed_at=m["deployed_at"],
        deployed_by=m["deployed_by"],
        department=m["department"],
        starter_roles=tuple(m["starter_roles"]),
    )


_FILE_COLUMNS = [c for c in definition_files.c if c.name not in {"created_at", "last_deployed_at"}]


class DefinitionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def file_by_hash(self, sha256: str, name: str) -> DefinitionFile | None:
        row = self._conn.execute(
            select(*_FILE_COLUMNS).where(definition_files.c.sha256 == sha256, definition_files.c.name == name)
        ).first()
        return DefinitionFile(**row._mapping) if row else None

    def files(self, ids: list[int]) -> list[DefinitionFile]:
        rows = self._conn.execute(select(*_FILE_COLUMNS).where(definition_files.c.id.in_(ids)))
        by_id = {r.id: DefinitionFile(**r._mapping) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def add_file(self, name: str, kind: str, sha256: str, content: bytes, now: datetime) -> int:
        existing = self.file_by_hash(sha256, name)
        if existing:
            self._conn.execute(
                update(definition_files).where(definition_files.c.id == existing.id).values(last_deployed_at=now)
            )
            return existing.id
        result = self._conn.execute(
            insert(definition_files)
            .values(
                name=name,
                kind=kind,
                sha256=sha256,
                content=content,
                created_at=now,
                last_deployed_at=now,
            )
            .returning(definition_files.c.id)
        )
        return int(result.scalar_one())

    def latest_form_files(self) -> dict[str, int]:
        """The most recently deployed file id of every form name."""
        return {f.name: f.id for f in self.latest_files_of_kind("form")}

    def latest_version(self, process_id: str) -> ProcessVersion | None:
        return self.get_version(process_id, None)

    def add_version(
        self,
        *,
        process_id: str,
        name: str,
        sha256: str,
        bundle_sha256: str,
        file_ids: list[int],
        forms: dict[str, int],
        department: str | None,
        starter_roles: list[str],
        now: datetime,
        actor: str | None,
    ) -> ProcessVersion:
        current = self._conn.execute(
            select(func.max(process_versions.c.version)).where(process_versions.c.process_id == process_id)
        ).scalar()
        version = int(current or 0) + 1
        result = self._conn.execute(
            insert(process_versions)
            .values(
                process_id=process_id,
                version=version,
                name=name,
                sha256=sha256,
                bundle_sha256=bundle_sha256,
                file_ids=file_ids,
                forms=forms,
                department=department,
                starter_roles=starter_roles,
                deployed_at=now,
                deployed_by=actor,
            )
            .returning(process_versions.c.id)
        )
        return ProcessVersion(
            id=int(result.scalar_one()),
            process_id=process_id,
            version=version,
            name=name,
            sha256=sha256,
            bundle_sha256=bundle_sha256,
            file_ids=tuple(file_ids),
            forms=forms,
            deployed_at=now,
            deployed_by=actor,
            department=department,
            starter_roles=tuple(starter_roles),
        )

    def get_version(self, process_id: str, version: int | None = None) -> ProcessVersion | None:
        query = select(process_versions).where(process_versions.c.process_id == process_id)
        query = (
            query.where(process_versions.c.version == version)
            if version
            else query.order_by(process_versions.c.version.desc()).limit(1)
        )
        row = self._conn.execute(query).first()
        return _version(row) if row else None

    def get_version_by_id(self, version_id: int) -> ProcessVersion | None:
        row = self._conn.execute(select(process_versions).where(process_versions.c.id == version_id)).first()
        return _version(row) if row else None

    def list_versions(self) -> list[ProcessVersion]:
        rows = self._conn.execute(
            select(process_versions).order_by(process_versions.c.process_id, process_versions.c.version)
        )
        return [_version(r) for r in rows]

    def latest_files_of_kind(self, kind: str) -> list[DefinitionFile]:
        """The most recently deployed file of every name of one kind (e.g. every DMN decision file)."""
        rows = self._conn.execute(
            select(definition_files.c.id, definition_files.c.name)
            .where(definition_files.c.kind == kind)
            .order_by(definition_files.c.last_deployed_at, definition_files.c.id)
        )
        newest = {name: file_id for file_id, name in rows}  # later rows win
        return self.files(sorted(newest.values()))
