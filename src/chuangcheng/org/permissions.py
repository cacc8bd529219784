"""Named predicates: services use them to refuse, templates to show or hide an action.
What a user may *see* is decided in queries.py (scope); these decide what they may *do*."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role

ADMIN_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN}
# Roles whose daily work means calling people: they see phone numbers unmasked.
PHONE_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.INSPECTOR, Role.GRID_WORKER}


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_superuser(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser)


def has_role(user: Any, *roles: str) -> bool:
    return _active(user) and (user.is_superuser or user.role in roles)


def in_scope(user: Any, region: Region | None) -> bool:
    if not _active(user) or region is None:
        return False
    if user.is_superuser:
        return True
    return user.scope is not None and region.path.startswith(user.scope.path)


def is_street_admin(user: Any) -> bool:
    return has_role(user, Role.STREET_ADMIN)


def can_manage_region(user: Any, region: Region) -> bool:
    """Create or change regions, units and people under `region`."""
    return has_role(user, *ADMIN_ROLES) and in_scope(user, region)


# Roles whose work lies inside one community: a community admin may give these, and only these.
COMMUNITY_ROLES = {Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.UNIT_HANDLER, Role.VOLUNTEER}


def can_grant_role(user: Any, role: str, scope: Region) -> bool:
    """Give a login `role` over `scope`: inside the giver's own scope, and no role that reaches
    beyond a community (inspector, leader, street admin) unless the giver is the street office."""
    if not can_manage_region(user, scope):
        return False
    return is_street_admin(user) or role in COMMUNITY_ROLES


def can_assign_unit(user: Any, unit: Any) -> bool:
    """Attach people to `unit` (and so let its handlers act for it): only a unit registered
    inside the admin's own scope. A unit of the street office serves every community, so a
    community admin may not mint handlers for it."""
    return unit is not None and can_manage_region(user, unit.region)


def can_edit_point(user: Any, grid: Region) -> bool:
    return has_role(user, *ADMIN_ROLES) and in_scope(user, grid)


def can_import(user: Any) -> bool:
    return has_role(user, *ADMIN_ROLES)


def can_edit_catalog(user: Any) -> bool:
    return is_street_admin(user)


def can_view_audit(user: Any) -> bool:
    return has_role(user, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.LEADER)


def can_reset_password(user: Any, login: Any) -> bool:
    """An admin resets the password of a login in their scope (not their own, not an operator's)."""
    return (
        login.scope is not None and can_manage_region(user, login.scope) and login.pk != user.pk
        and not login.is_superuser
    )


def can_list_people(user: Any) -> bool:
    """The people register is for those who organize work, not for volunteers or unit staff."""
    return has_role(user, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.INSPECTOR, Role.GRID_WORKER, Role.LEADER)


def can_see_phone_numbers(user: Any) -> bool:
    return has_role(user, *PHONE_ROLES)
