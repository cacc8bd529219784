"""Reads of points for pages, API and exports, already scoped and joined."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Func, OuterRef, Q, QuerySet, Subquery

from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.org.queries import scope_of
from chuangcheng.places.models import Point


def points_visible_to(user: Any) -> QuerySet[Point]:
    if not getattr(user, "is_authenticated", False):
        return Point.objects.none()
    qs = Point.objects.select_related("point_type", "grid", "grid__parent", "primary_unit")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    return qs.filter(grid__path__startswith=scope.path)


@dataclass(frozen=True)
class PointFilter:
    q: str = ""
    point_type: str = ""
    region: str = ""  # a community or grid code
    zero_loss: bool | None = None
    active: bool | None = True


def filter_points(user: Any, flt: PointFilter) -> QuerySet[Point]:
    qs = points_visible_to(user)
    if flt.q:
        qs = qs.filter(Q(name__icontains=flt.q) | Q(code__icontains=flt.q) | Q(address__icontains=flt.q))
    if flt.point_type:
        qs = qs.filter(point_type__code=flt.point_type)
    if flt.region:
        region = Region.objects.filter(code=flt.region).only("path").first()
        qs = qs.filter(grid__path__startswith=region.path) if region else qs.none()
    if flt.zero_loss is not None:
        qs = qs.filter(zero_loss=flt.zero_loss)
    if flt.active is not None:
        qs = qs.filter(active=flt.active)
    return qs.order_by("code")


def point_for(user: Any, code: str) -> Point | None:
    return (
        points_visible_to(user)
        .prefetch_related("cooperating_units", "responsible_people", "photos")
        .filter(code=code)
        .first()
    )


def region_children_with_counts(user: Any, region: Region) -> QuerySet[Region]:
    """The children of a region with their sub-region and point counts, in one query."""
    points = (
        Point.objects.filter(active=True, grid__path__startswith=OuterRef("path"))
        .order_by()
        .values(total=Func(F("id"), function="COUNT"))
    )
    return (
        org_queries.regions_visible_to(user)
        .filter(parent=region)
        .order_by("sort_order", "code")
        .annotate(child_count=Count("children", distinct=True), point_count=Subquery(points))
    )
