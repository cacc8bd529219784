"""Who may act on a work order: the street office and the case's unit for the handling steps, the
office alone for decisions (extensions, recording the hotline centre's callback)."""

from __future__ import annotations

from typing import Any

from chuangcheng.cases import permissions as case_permissions
from chuangcheng.org.models import Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope


def can_see_orders(user: Any) -> bool:
    return has_role(user, *ADMIN_ROLES, Role.LEADER, Role.UNIT_HANDLER)


def can_see(user: Any, order: Any) -> bool:
    return (has_role(user, *ADMIN_ROLES, Role.LEADER) and in_scope(user, order.case.grid)) or \
        case_permissions.is_unit_handler_of(user, order.case)


def can_handle(user: Any, order: Any) -> bool:
    """签收, 答复, 退单, ask for more time, 办结: the case's unit or the office."""
    return case_permissions.can_handle(user, order.case)


def can_decide(user: Any, order: Any) -> bool:
    """Grant or refuse an extension, record the callback: the office in scope."""
    return case_permissions.can_triage(user, order.case)


def can_exchange(user: Any, street: Any) -> bool:
    """Import and export orders, see the exchange's failures: the street's own office."""
    return has_role(user, Role.STREET_ADMIN) and in_scope(user, street)
