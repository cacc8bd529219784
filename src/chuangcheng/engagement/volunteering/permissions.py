"""Who may do what with volunteer actions. What a user may *see* is decided in queries.py."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope


def can_plan_action(user: Any, community: Region | None = None) -> bool:
    """Community admins and the street office plan actions in their scope."""
    if not has_role(user, *ADMIN_ROLES):
        return False
    return community is None or in_scope(user, community)


def can_manage_action(user: Any, action: Any) -> bool:
    """Close, cancel, read the roster and correct hours: the organizer, or an admin in scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action.organizer_id == user.pk:
        return True
    return has_role(user, *ADMIN_ROLES) and in_scope(user, action.community)


def can_sign_up(user: Any) -> bool:
    """Any signed-in person on the register (a volunteer or staff) may take part; hours are
    credited to the person, so a login without a person record cannot."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.person_id is not None)


def can_see_participation(user: Any) -> bool:
    return has_role(user, *ADMIN_ROLES, Role.LEADER)


def can_export_ledger(user: Any) -> bool:
    return has_role(user, *ADMIN_ROLES, Role.LEADER)
