"""The item catalogue (办事指南) and the organisation: load them from processes/ into the database, read them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from engine.domain.access import Principal
from engine.domain.catalogue import load_catalogue
from engine.domain.catalogue_model import Item
from engine.domain.organisation import load_organisation
from engine.errors import NotFound, PermissionDenied
from engine.services.context import ServiceContext, log
from engine.services.organisation import write_organisation

CATALOGUE_FILE = "catalog.toml"
ORGANISATION_FILE = "organisation.toml"


def process_id_for(item_code: str) -> str:
    """The BPMN process id of an item: ``item_`` + its code in lower case, dashes as underscores."""
    return "item_" + item_code.lower().replace("-", "_")


def plain(value: Any) -> Any:
    """Dataclasses, enums, sets and dates as JSON values (for the guide column and the API)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def item_row(item: Item) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "type": item.type,
        "department": item.department,
        "window": item.window,
        "process_id": process_id_for(item.code),
        "promised_days": item.promised_days,
        "statutory_days": item.statutory_days,
        "instant": item.instant,
        "guide": plain(item),
    }


class CatalogueService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        #: run after a load committed (e.g. the warning timers follow new thresholds; wired in bootstrap)
        self.after_load: list[Callable[[], object]] = []

    def load(self, processes_dir: Path | None = None) -> tuple[int, int]:
        """Load the organisation's departments and the catalogue; returns (departments, items)."""
        folder = processes_dir or self._ctx.settings.processes_dir
        organisation = load_organisation((folder / ORGANISATION_FILE).read_text(encoding="utf-8"))
        catalogue = load_catalogue((folder / CATALOGUE_FILE).read_text(encoding="utf-8"))
        now = self._ctx.now()
        with self._ctx.uow(write=True) as uow:
            for department in organisation.departments:
                uow.accounts.add_department(department.code, department.name)
            write_organisation(uow, organisation)  # the centre, departments' details, service points, windows
            for item in catalogue.items:
                uow.catalogue.upsert(item_row(item), now)
            uow.commit()
        for hook in list(self.after_load):
            try:
                hook()
            except Exception:  # the catalogue is loaded; what follows it must not undo that
                log.exception("a hook after loading the catalogue failed")
        return len(organisation.departments), len(catalogue.items)

    def items(self) -> list[dict[str, Any]]:
        with self._ctx.uow() as uow:
            return list(uow.catalogue.all())

    def item(self, code: str) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            found = uow.catalogue.get(code)
        if found is None:
            raise NotFound(f"no item {code!r} in the catalogue")
        return found

    def require_admin(self, principal: Principal) -> None:
        if not principal.is_admin:
            raise PermissionDenied("only administrators may change the catalogue")
