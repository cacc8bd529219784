"""Who may do what in publicity. What a user may *see* is decided in queries.py (scope)."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, in_scope

# Those who do publicity: grid workers in their grids, community and street admins in theirs.
PUBLICITY_ROLES = (Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER)
# Those who may read the ledgers (leaders and inspectors read, never write).
READER_ROLES = (*PUBLICITY_ROLES, Role.LEADER, Role.INSPECTOR)
# Who may knock on doors for the community: the workers and the volunteers they bring along.
VISITOR_ROLES = (*PUBLICITY_ROLES, Role.VOLUNTEER)


def can_view_publicity(user: Any) -> bool:
    return has_role(user, *READER_ROLES)


def can_push(user: Any, grid: Region) -> bool:
    """Push to one grid's groups: a grid worker to their grid, an admin to the grids of their region."""
    return grid.level == Region.Level.GRID and has_role(user, *PUBLICITY_ROLES) and in_scope(user, grid)


def can_push_anywhere(user: Any) -> bool:
    """Whether to show the "new push" action at all."""
    return has_role(user, *PUBLICITY_ROLES)


def can_register_item(user: Any, grid: Region) -> bool:
    """Register or take down an offline item at a point of `grid`."""
    return has_role(user, *PUBLICITY_ROLES) and in_scope(user, grid)


def can_record_visit(user: Any, grid: Region) -> bool:
    return grid.level == Region.Level.GRID and has_role(user, *PUBLICITY_ROLES) and in_scope(user, grid)


def can_be_visitor(user: Any) -> bool:
    return has_role(user, *VISITOR_ROLES)


def can_export(user: Any) -> bool:
    """The ledgers (台账) are for those who answer to the assessors."""
    return has_role(user, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.LEADER)
