"""Every read of surveys a page, the API or a report needs, already limited to the reader's region."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chuangcheng.org.models import Role
from chuangcheng.org.permissions import has_role, in_scope
from chuangcheng.org.queries import scope_of
from chuangcheng.surveys.models import Survey


def surveys_visible_to(user: Any) -> QuerySet[Survey]:
    """Surveys made in the reader's region or above it (a community sees the street's survey), and
    those published somewhere in it. Residents (no account) see none here: they answer by link."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return Survey.objects.none()
    if user.is_superuser:
        return Survey.objects.select_related("region").all()
    scope = scope_of(user)
    if scope is None or not has_role(user, *_READERS):
        return Survey.objects.none()
    above = [scope.path[:i] for i in range(len(scope.path), 0, -1) if scope.path[i - 1] == "/"]
    return Survey.objects.select_related("region").filter(
        Q(region__path__startswith=scope.path) | Q(region__path__in=above)
        | Q(publications__region__path__startswith=scope.path)
    ).distinct()


def can_read(user: Any, survey: Survey) -> bool:
    return in_scope(user, survey.region) or surveys_visible_to(user).filter(pk=survey.pk).exists()


_READERS = (Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.INSPECTOR, Role.LEADER)
