"""Reads of points for pages, API and exports, already scoped and joined."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

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


def region_children_with_counts(user: Any, region: Region) -> list[Region]:
    """The children of a region, each with `child_count` (sub-regions) and `point_count` (active
    points anywhere below it), in three queries whose cost follows the size of this subtree only:
    the subtree's regions, and the points counted per grid through the grid index."""
    subtree = list(
        org_queries.regions_visible_to(user)
        .filter(path__startswith=region.path)
        .select_related(None)
        .only("id", "code", "name", "level", "path", "parent_id", "sort_order")
    )
    children = sorted((r for r in subtree if r.parent_id == region.pk), key=lambda r: (r.sort_order, r.code))
    child_of_grid: dict[int, int] = {}
    depth = len(region.ancestor_codes())
    child_ids = {r.code: r.pk for r in children}
    for r in subtree:
        codes = r.ancestor_codes()
        if r.level == Region.Level.GRID and len(codes) > depth:
            child_of_grid[r.pk] = child_ids[codes[depth]]
    per_grid = (
        Point.objects.filter(active=True, grid_id__in=list(child_of_grid))
        .order_by()
        .values("grid_id")
        .annotate(n=Count("id"))
    )
    points: dict[int, int] = {}
    for row in per_grid:
        child_id = child_of_grid[row["grid_id"]]
        points[child_id] = points.get(child_id, 0) + row["n"]
    for child in children:
        child.child_count = sum(1 for r in subtree if r.parent_id == child.pk)  # type: ignore[attr-defined]
        child.point_count = points.get(child.pk, 0)  # type: ignore[attr-defined]
    return children
