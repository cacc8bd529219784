"""Named predicates for problem lists. The street office (its admins, and admins above it) enters
and manages a street's lists; its leaders and inspectors read them; nobody else sees them."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, in_scope

READERS = (Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR)
MANAGERS = (Role.STREET_ADMIN,)


def reads_problem_lists(user: Any) -> bool:
    """Whether the user's role reads any problem list at all (before looking at which street)."""
    return has_role(user, *READERS)


def can_read_list(user: Any, problem_list: Any) -> bool:
    return has_role(user, *READERS) and in_scope(user, problem_list.street)


def can_manage_lists(user: Any, street: Region) -> bool:
    """Enter (type in or import) a street's lists and dispatch their problems."""
    return has_role(user, *MANAGERS) and in_scope(user, street)
