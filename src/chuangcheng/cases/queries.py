"""Reads of cases, already scoped: staff see the cases of their region; a unit's handlers see
their unit's cases."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chuangcheng.cases.models import Case, Category
from chuangcheng.org.models import Role
from chuangcheng.org.queries import scope_of


def cases_visible_to(user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    qs = Case.objects.select_related("category", "category__parent", "grid", "grid__parent", "point", "unit")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    in_region = Q(grid__path__startswith=scope.path)
    if user.role == Role.UNIT_HANDLER:
        person = getattr(user, "person", None)
        unit_id = person.unit_id if person is not None else None
        return qs.filter(in_region, unit_id=unit_id) if unit_id else qs.none()
    if user.role == Role.VOLUNTEER:
        return qs.filter(in_region, reported_by=user)
    return qs.filter(in_region)


def case_for(user: Any, number: str) -> Case | None:
    return cases_visible_to(user).filter(number=number).first()


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
