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


def can_rate(user: Any, case: Any) -> bool:
    """Nobody signed in rates a fix: the resident who reported it does, recognised by the public
    pages (their device, verified phone or signed text-message link), and the case moves by the
    system on their behalf (public.services.rate_report)."""
    return False


def can_refer(user: Any, case: Any) -> bool:
    """上报: the street office sends a case that needs a higher-level unit to the district."""
    return has_role(user, Role.STREET_ADMIN) and in_scope(user, case.grid)


def is_district_user(user: Any) -> bool:
    """An admin or leader whose scope is a district (or a superuser): who answers what streets refer."""
    from chuangcheng.org.models import Region

    if not has_role(user, Role.STREET_ADMIN, Role.LEADER):
        return False
    return bool(user.is_superuser or (user.scope is not None and user.scope.level == Region.Level.DISTRICT))


def can_answer_referral(user: Any, case: Any) -> bool:
    """The district's answer to a 上报: its admins and leaders over the case's grid."""
    return is_district_user(user) and in_scope(user, case.grid)


def allowed_actions(user: Any, case: Any, **context: Any) -> list[str]:
    """The actions this user may take on this case now, in the order of the lifecycle, read from the
    case workflow's table (the services check again when the action is taken; the case may have
    moved). `rectified_by`, the author of the last rectification (a verifier must be someone else),
    is read from the database when not given."""
    from chuangcheng.cases.workflow import CASES

    return CASES.allowed(user, case, **context)
