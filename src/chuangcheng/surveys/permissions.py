"""Named predicates: services use them to refuse, templates to show or hide an action.
Who may *see* a survey is decided in queries.py (scope); these decide what a user may *do*."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role, in_scope

# Surveys are made by the street office or a community (not by a grid).
MAKER_LEVELS = (Region.Level.STREET, Region.Level.COMMUNITY)
# A survey is offered in a community or a grid: every answer counts to one of them.
PUBLICATION_LEVELS = (Region.Level.COMMUNITY, Region.Level.GRID)
VISITORS = (Role.GRID_WORKER,)
# Who reads surveys and their results (within their region; see queries.surveys_visible_to).
READERS = (Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.INSPECTOR, Role.LEADER)


def can_read_surveys(user: Any) -> bool:
    return has_role(user, *READERS)


def can_make_surveys(user: Any) -> bool:
    return has_role(user, *ADMIN_ROLES)


def can_make_survey_in(user: Any, region: Region) -> bool:
    return can_make_surveys(user) and region.level in MAKER_LEVELS and in_scope(user, region)


def can_edit(user: Any, survey: Any) -> bool:
    """Build, publish, correct and close a survey: the office that made it (or one above it)."""
    return can_make_surveys(user) and in_scope(user, survey.region)


can_publish = can_edit
can_close = can_edit


def can_publish_to(user: Any, survey: Any, region: Region) -> bool:
    return (can_edit(user, survey) and region.level in PUBLICATION_LEVELS and in_scope(user, region)
            and region.is_within(survey.region))


def can_record_visit(user: Any, publication: Any, region: Region | None = None) -> bool:
    """A grid worker records answers door to door in a grid of their scope that the publication covers."""
    if not has_role(user, *VISITORS) or not publication.survey.allow_visits:
        return False
    if region is None:  # may they record here at all: their scope and the publication's region overlap
        if user.is_superuser:
            return True
        return user.scope is not None and (user.scope.is_within(publication.region)
                                           or publication.region.is_within(user.scope))
    return in_scope(user, region) and region.is_within(publication.region)
