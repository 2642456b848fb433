"""Who may do what: principals, role grants and the lane rule (a user works on a task of lane
``role[@DEPT]`` when they hold that role in that department)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ADMIN = "admin"
DESIGNER = "designer"
SUPERVISOR = "supervisor"
#: roles that may open a case at a window or as an agent, whatever the process says
DEFAULT_STARTER_ROLES = ("window_officer", "agent")

LANE_PATTERN = re.compile(r"^(?P<role>[a-z][a-z0-9_]*)(?:@(?P<dept>[A-Za-z0-9_-]+))?$")


@dataclass(frozen=True)
class RoleGrant:
    role: str
    department: str | None = None  # None: the role is held centre-wide (e.g. admin, supervisor)


@dataclass(frozen=True)
class Principal:
    username: str
    display_name: str = ""
    grants: frozenset[RoleGrant] = field(default_factory=frozenset)

    def has_role(self, role: str) -> bool:
        return any(g.role == role for g in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.has_role(ADMIN)

    def holds(self, role: str, department: str | None) -> bool:
        """True when the user holds ``role`` in ``department``. A centre-wide grant covers every department;
        a task with no department can only be worked by centre-wide holders of the role."""
        return any(g.role == role and (g.department is None or g.department == department) for g in self.grants)

    def roles_by_department(self) -> list[tuple[str, str | None]]:
        return sorted(((g.role, g.department) for g in self.grants), key=lambda rd: (rd[0], rd[1] or ""))


@dataclass(frozen=True)
class LaneAssignment:
    role: str | None
    department: str | None


def resolve_lane(lane: str | None, instance_department: str | None) -> LaneAssignment:
    """Map a lane name to the role and department whose holders may work on its tasks."""
    if not lane:
        return LaneAssignment(None, instance_department)
    match = LANE_PATTERN.match(lane.strip())
    if match is None:
        return LaneAssignment(None, instance_department)
    return LaneAssignment(match["role"], match["dept"] or instance_department)


def may_work_on(principal: Principal, role: str | None, department: str | None) -> bool:
    """Admins may always act; otherwise the lane's role in the task's department is required."""
    if principal.is_admin:
        return True
    if role is None:
        return False
    return principal.holds(role, department)


def may_start(principal: Principal, starter_roles: tuple[str, ...], department: str | None) -> bool:
    if principal.is_admin:
        return True
    allowed = starter_roles or DEFAULT_STARTER_ROLES
    return any(principal.holds(role, department) for role in allowed)
