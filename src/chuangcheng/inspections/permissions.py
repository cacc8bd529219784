"""Who may inspect, plan and read inspection records. Scope (the point's grid, the plan's region)
and role decide; services refuse with these and templates use them to show or hide an action."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope

INSPECTING_ROLES = {Role.INSPECTOR, Role.GRID_WORKER, *ADMIN_ROLES}
RECORD_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.INSPECTOR, Role.GRID_WORKER, Role.LEADER}


def can_inspect(user: Any, point: Any) -> bool:
    """Inspect a point (日督查): inspectors, grid workers and admins whose scope holds its grid."""
    return has_role(user, *INSPECTING_ROLES) and in_scope(user, point.grid)


def can_plan(user: Any, region: Any) -> bool:
    """Make or change the plan of `region`: a whole subdistrict's plan is the street admin's; a
    community admin may move visits inside their own community (`region` is that community)."""
    return has_role(user, *ADMIN_ROLES) and in_scope(user, region)


def can_view_records(user: Any) -> bool:
    """Read inspection records, plans and coverage: the staff, not unit handlers or volunteers."""
    return has_role(user, *RECORD_ROLES)
