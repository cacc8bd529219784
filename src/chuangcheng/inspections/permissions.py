"""Who may inspect, plan and read inspection records. Scope (the point's grid, the plan's region)
and role decide; services refuse with these and templates use them to show or hide an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope

INSPECTING_ROLES = {Role.INSPECTOR, Role.GRID_WORKER, *ADMIN_ROLES}
RECORD_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.INSPECTOR, Role.GRID_WORKER, Role.LEADER}


def can_inspect(user: Any, point: Any, day: dt.date | None = None) -> bool:
    """Inspect a point (日督查): inspectors, grid workers and admins whose scope holds its grid, and
    a grid worker or inspector from elsewhere who has the point as a cross-check (交叉检查) in their
    plan of `day` (default today) — that visit only, nothing else of the other community."""
    if not has_role(user, *INSPECTING_ROLES):
        return False
    return in_scope(user, point.grid) or has_cross_check(user, point, day)


def has_cross_check(user: Any, point: Any, day: dt.date | None = None) -> bool:
    """Whether the user's plan of `day` (default today) gives them `point` as a cross-check."""
    from chuangcheng.core import clock
    from chuangcheng.inspections.models import Assignment

    if getattr(user, "pk", None) is None or getattr(point, "pk", None) is None:
        return False
    return Assignment.objects.filter(plan__day=day or clock.today(), person=user, point=point,
                                     reason=Assignment.Reason.CROSS).exists()


# Who checked, by the inspector's scope relative to the point (`Inspection.Kind` values).
SELF, STREET, CROSS, DISTRICT, COVERT = "self", "street", "cross", "district", "covert"


def may_declare_covert(user: Any) -> bool:
    """A covert visit (暗访) is declared by an inspector or admin of a subdistrict or above."""
    if not has_role(user, *INSPECTING_ROLES):
        return False
    if user.is_superuser and user.scope is None:
        return True
    scope = getattr(user, "scope", None)
    return scope is not None and scope.level <= Region.Level.STREET


def inspection_kind(user: Any, point: Any, *, cross: bool = False, covert: bool = False) -> str:
    """Who checked the point, as the ranking needs it: the point's community's own staff (a
    community or grid scope inside it) → self; a subdistrict scope → street; a district or city
    scope (or an operator with none) → district; someone from another community on a cross-check
    visit → cross. A covert visit declared by a subdistrict- or district-level inspector → covert."""
    scope = getattr(user, "scope", None)
    if covert and may_declare_covert(user):
        return COVERT
    if scope is None:
        return DISTRICT
    if scope.level >= Region.Level.COMMUNITY:
        community_path = "/".join(point.grid.path.split("/")[:-2]) + "/"  # the grid's parent
        mine = scope.path.startswith(community_path) or point.grid.path.startswith(scope.path)
        if mine:
            return SELF
        return CROSS if cross else SELF
    if scope.level == Region.Level.STREET:
        return STREET
    return DISTRICT


def can_plan(user: Any, region: Any) -> bool:
    """Make or change the plan of `region`: a whole subdistrict's plan is the street admin's; a
    community admin may move visits inside their own community (`region` is that community)."""
    return has_role(user, *ADMIN_ROLES) and in_scope(user, region)


def can_view_records(user: Any) -> bool:
    """Read inspection records, plans and coverage: the staff, not unit handlers or volunteers."""
    return has_role(user, *RECORD_ROLES)
