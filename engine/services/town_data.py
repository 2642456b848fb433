"""The town centres as the roster and town intake see them: processes/organisation.toml and towns.toml read
once (validated against catalog.toml), with each town's duty pool, people's names and who manages its roster."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.domain.access import Principal
from engine.domain.catalogue import load_catalogue
from engine.domain.organisation import load_organisation
from engine.domain.organisation_model import Organisation, TownCentre
from engine.domain.roster import OfficeHours
from engine.domain.towns import FILE, TOWN_OFFICER, TownPlan, TownsConfig, duty_pool, load_towns
from engine.errors import NotFound, PermissionDenied

ORGANISATION_FILE = "organisation.toml"
CATALOGUE_FILE = "catalog.toml"


@dataclass(frozen=True)
class Town:
    """One town centre: the organisation's record and its plan (items, staff)."""

    centre: TownCentre
    plan: TownPlan

    @property
    def code(self) -> str:
        return self.centre.code

    def pool(self) -> list[str]:
        return duty_pool(self.plan, self.centre)

    def names(self) -> dict[str, str]:
        names = {p.username: p.name for p in self.plan.staff}
        return {**names, **{a.username: a.name for a in self.centre.agents}}

    def manages_roster(self, principal: Principal) -> bool:
        """An administrator, or a town officer listed among this town's staff (towns.toml): the town's own
        staff draw up its roster; another town's staff, a county window officer or a 代办员 do not."""
        return principal.is_admin or (
            principal.has_role(TOWN_OFFICER) and principal.username in {p.username for p in self.plan.staff}
        )

    def may_receive(self, principal: Principal) -> bool:
        """An administrator, or a member of this town's duty pool (window officers and 代办员)."""
        return principal.is_admin or principal.username in self.pool()


@dataclass(frozen=True)
class TownDirectory:
    organisation: Organisation
    config: TownsConfig

    @property
    def hours(self) -> OfficeHours:
        return self.config.hours

    def towns(self) -> list[Town]:
        plans = {p.code: p for p in self.config.towns}
        return [Town(t, plans[t.code]) for t in self.organisation.towns if t.code in plans]

    def town(self, code: str) -> Town:
        found = next((t for t in self.towns() if t.code == code), None)
        if found is None:
            raise NotFound(f"no town centre {code!r}")
        return found

    def town_of(self, username: str) -> Town | None:
        return next((t for t in self.towns() if username in t.pool()), None)


def read_directory(folder: Path) -> TownDirectory:
    """Read and validate the three files (TownsError / OrganisationError list every problem)."""
    organisation = load_organisation((folder / ORGANISATION_FILE).read_text(encoding="utf-8"))
    catalogue = load_catalogue((folder / CATALOGUE_FILE).read_text(encoding="utf-8"))
    config = load_towns((folder / FILE).read_text(encoding="utf-8"), organisation, {i.code for i in catalogue.items})
    return TownDirectory(organisation, config)


class DirectoryCache:
    """The directory of one processes folder, read on first use (nothing at import or construction)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._found: TownDirectory | None = None
        self._lock = threading.Lock()

    def get(self) -> TownDirectory:
        with self._lock:
            if self._found is None:
                self._found = read_directory(self._folder)
            return self._found


def require_manager(town: Town, principal: Principal) -> None:
    if not town.manages_roster(principal):
        raise PermissionDenied(f"only {town.code}'s town officers or an administrator draw up its roster")


def person(town: Town, username: str | None) -> dict[str, Any] | None:
    """A person as signed-in staff see them: login name and display name."""
    if username is None:
        return None
    return {"username": username, "name": town.names().get(username, username)}


def public_person(town: Town, username: str | None) -> dict[str, Any] | None:
    """A person as the public sees them (notice board, public API): the display name only, never the login."""
    if username is None:
        return None
    return {"name": town.names().get(username, username)}
