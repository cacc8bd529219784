"""Who may run, record and read mock assessment rounds. Which rounds a user may list is decided in
queries.py (`rounds_visible_to`); these decide what a user may do with one round."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, is_superuser

# Street-level roles that see a drawn round (the sample stays a secret from the communities).
STREET_ROLES = {Role.STREET_ADMIN, Role.INSPECTOR, Role.LEADER}
# Roles a team member may have: they inspect the drawn points.
TEAM_ROLES = {Role.STREET_ADMIN, Role.INSPECTOR}


def at_street_level(user: Any, street: Region) -> bool:
    """A street-level role whose scope holds the whole street (not one of its communities)."""
    if is_superuser(user):
        return True
    scope = getattr(user, "scope", None)
    return (has_role(user, *STREET_ROLES) and scope is not None and street.path.startswith(scope.path))


def can_manage_rounds(user: Any, street: Region) -> bool:
    """Draw a round of `street`, assign its points, start, finish or cancel it."""
    return is_superuser(user) or (has_role(user, Role.STREET_ADMIN) and at_street_level(user, street))


def can_manage_round(user: Any, round: Any) -> bool:  # noqa: A002 - a round is what this app is about
    return can_manage_rounds(user, round.street)


def can_join_team(user: Any, street: Region) -> bool:
    return has_role(user, *TEAM_ROLES) and at_street_level(user, street)


def can_record(user: Any, round_point: Any) -> bool:
    """Record the inspection of a drawn point: its assessor, or the street admin running the round."""
    return (getattr(user, "pk", None) is not None and round_point.assessor_id == user.pk) or can_manage_round(
        user, round_point.round)
