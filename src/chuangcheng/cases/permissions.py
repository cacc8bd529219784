"""Who may act on a case. Scope (the case's grid) and role decide; services refuse with these and
templates use them to show only the actions a person may take."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope

REPORTING_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.INSPECTOR, Role.LEADER}


def can_report(user: Any, grid: Any) -> bool:
    return has_role(user, *REPORTING_ROLES) and in_scope(user, grid)


def can_triage(user: Any, case: Any) -> bool:
    """Accept or reject a report, dispatch it, suspend it, decide on an extension (立案、派遣)."""
    return has_role(user, *ADMIN_ROLES) and in_scope(user, case.grid)


def is_unit_handler_of(user: Any, case: Any) -> bool:
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return (
        has_role(user, Role.UNIT_HANDLER) and case.unit_id is not None and person is not None
        and person.unit_id == case.unit_id
    )


def can_handle(user: Any, case: Any) -> bool:
    """Take on, rectify, ask for more time or send back a dispatched case: its unit's handlers."""
    return is_unit_handler_of(user, case) or can_triage(user, case)


def can_verify(user: Any, case: Any, *, rectified_by: Any = None) -> bool:
    """Verify on site (核查): an inspector or admin in scope, never the one who rectified it."""
    if rectified_by is not None and getattr(rectified_by, "pk", None) == getattr(user, "pk", None):
        return False
    return has_role(user, Role.INSPECTOR, *ADMIN_ROLES) and in_scope(user, case.grid)


def can_reopen(user: Any, case: Any) -> bool:
    return has_role(user, Role.INSPECTOR, *ADMIN_ROLES) and in_scope(user, case.grid)


def allowed_actions(user: Any, case: Any, *, rectified_by: Any = None) -> list[str]:
    """The actions to offer this user on this case now, in the order a page lists them. The
    services check again when the action is taken (the case may have moved meanwhile)."""
    state = case.state
    triage = can_triage(user, case)
    handler = is_unit_handler_of(user, case)
    handling = state in {"dispatched", "rectifying"}
    actions: list[str] = []
    if state == "reported" and triage:
        actions += ["accept", "reject"]
    if state == "accepted" and triage:
        actions.append("dispatch")
    if handling and (handler or triage):
        if state == "dispatched" and handler:
            actions.append("start")
        actions.append("rectify")
        if handler and case.extension_requested_until is None:
            actions.append("request_extension")
        if handler:
            actions.append("send_back")
    if handling and triage:
        if case.extension_requested_until is not None:
            actions.append("decide_extension")
        actions += ["redispatch", "suspend"]
    if state == "rectified" and can_verify(user, case, rectified_by=rectified_by):
        actions += ["verify", "return_for_rework"]
    if state == "suspended" and triage:
        actions.append("resume")
    if state == "closed" and case.unit_id is not None and can_reopen(user, case):
        actions.append("reopen")
    return actions
