"""Who may do what with meetings and tasks. The street office (街道创城办) records meetings, assigns,
verifies, sends back and cancels tasks; the owning unit's handlers (and the person in charge)
report progress and submit. What a user may *see* is decided in queries.py."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, in_scope

# Who reads the completion by unit (完成情况): the office and its leaders.
OVERVIEW_ROLES = {Role.STREET_ADMIN, Role.LEADER}
# Who takes the ledger (任务清单台账) out as a workbook.
LEDGER_ROLES = {Role.STREET_ADMIN, Role.LEADER, Role.COMMUNITY_ADMIN}
# Who reads meetings (a unit handler reads those its unit attended, see queries).
MEETING_READERS = {Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR, Role.COMMUNITY_ADMIN, Role.GRID_WORKER,
                   Role.UNIT_HANDLER}


def can_record_meeting(user: Any, street: Region | None) -> bool:
    """Record a promotion meeting of `street` (the street office's own)."""
    return street is not None and has_role(user, Role.STREET_ADMIN) and in_scope(user, street)


def can_assign(user: Any, street: Region | None) -> bool:
    """Create tasks in `street`, verify, send back and cancel them."""
    return street is not None and has_role(user, Role.STREET_ADMIN) and in_scope(user, street)


def is_task_worker(user: Any, task: Any) -> bool:
    """A handler of the owning unit, or the person in charge through their own login."""
    if not has_role(user, Role.UNIT_HANDLER, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.INSPECTOR):
        return False
    person = getattr(user, "person", None)
    if person is None:
        return False
    if user.role == Role.UNIT_HANDLER and person.unit_id is not None and person.unit_id == task.unit_id:
        return True
    return task.person_id is not None and task.person_id == person.pk


def can_work(user: Any, task: Any) -> bool:
    """Report progress and submit the task as done: its unit, or the office on its behalf."""
    return is_task_worker(user, task) or can_assign(user, task.street)


def can_cancel(user: Any, task: Any) -> bool:
    """Cancel a task that is no longer needed: the street office that assigns."""
    return can_assign(user, task.street)


def can_verify(user: Any, task: Any, *, submitted_by: Any = None) -> bool:
    """Verify or send back a submitted task: the street office, never the one who submitted it."""
    if submitted_by is not None and getattr(submitted_by, "pk", None) == getattr(user, "pk", None):
        return False
    return can_assign(user, task.street)


def can_see_overview(user: Any) -> bool:
    return has_role(user, *OVERVIEW_ROLES)


def can_export(user: Any) -> bool:
    return has_role(user, *LEDGER_ROLES)


def can_read_meetings(user: Any) -> bool:
    return has_role(user, *MEETING_READERS)


def allowed_actions(user: Any, task: Any, **context: Any) -> list[str]:
    """The actions this user may take on this task now, in the order of the lifecycle, read from the
    task workflow's table (the services check again when the action is taken). `submitted_by` (a
    verifier must be someone else) is read from the database when not given."""
    from chuangcheng.engagement.tasklists.workflow import TASKS

    return TASKS.allowed(user, task, **context)
