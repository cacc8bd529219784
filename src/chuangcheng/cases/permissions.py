"""Who may act on a case. Scope (the case's grid) and role decide; services refuse with these and
templates use them to show only the actions a person may take."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope

# Who keeps and shows the rectification ledger (整改台账): the offices, inspectors, leaders and units.
LEDGER_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.INSPECTOR, Role.LEADER, Role.UNIT_HANDLER}
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


# Who checks on site: inspectors and the grid's own workers (in 数字城管 the collector who found a
# problem verifies it: 核查结案), and the admins.
VERIFYING_ROLES = {Role.INSPECTOR, Role.GRID_WORKER, *ADMIN_ROLES}


def can_verify(user: Any, case: Any, *, rectified_by: Any = None) -> bool:
    """Verify on site (核查): someone of a verifying role in scope, never the one who rectified it."""
    if rectified_by is not None and getattr(rectified_by, "pk", None) == getattr(user, "pk", None):
        return False
    return has_role(user, *VERIFYING_ROLES) and in_scope(user, case.grid)


def can_reopen(user: Any, case: Any) -> bool:
    """The problem is back after closing: whoever may verify it sees it on site."""
    return has_role(user, *VERIFYING_ROLES) and in_scope(user, case.grid)


def allowed_actions(user: Any, case: Any, *, rectified_by: Any = None) -> list[str]:
    """The actions this user may take on this case now, in the order of the lifecycle: the rules
    the services apply (which check again when the action is taken; the case may have moved).
    `rectified_by` is the author of the last rectification (a verifier must be someone else)."""
    state = case.state
    triage = can_triage(user, case)
    handle = can_handle(user, case)
    handling = state in {"dispatched", "rectifying"}
    actions: list[str] = []
    if state == "reported" and triage:
        actions += ["accept", "reject"]
    if state == "accepted" and triage:
        actions.append("dispatch")
    if handling and triage:
        actions.append("redispatch")
    if handling and handle:
        actions.append("send_back")
        if state == "dispatched":
            actions.append("start")
        actions.append("rectify")
    if state == "rectified" and can_verify(user, case, rectified_by=rectified_by):
        actions += ["verify", "return_for_rework"]
    if handling and handle and case.extension_requested_until is None:
        actions.append("request_extension")
    if handling and triage and case.extension_requested_until is not None:
        actions.append("decide_extension")
    if handling and triage:
        actions.append("suspend")
    if state == "suspended" and triage:
        actions.append("resume")
    if state == "closed" and case.unit_id is not None and can_reopen(user, case):
        actions.append("reopen")
    return actions


# What the unit does; a page offers these to the unit's handlers only (the office can, but rarely should).
UNIT_ACTIONS = {"start", "send_back", "request_extension"}
