"""The one map (一张图): every point in the user's scope with today's status, in one query.

A point's status is the worst thing true of it now, in this order: a case there is overdue; it
failed an inspection today; a case there is still open; it was inspected today and passed; it has
not been inspected yet today. The map, its legend and the text list beside it all use these."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Case
from chuangcheng.cases.queries import OPEN_STATES, overdue_q
from chuangcheng.core import clock
from chuangcheng.inspections.models import Inspection
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point
from chuangcheng.places.queries import points_visible_to


class Status(StrEnum):
    OVERDUE = "overdue"
    FAILED = "failed"
    OPEN = "open"
    OK = "ok"
    PENDING = "pending"


# Worst first: the legend's order, and which status wins when several are true.
STATUS_ORDER = [Status.OVERDUE, Status.FAILED, Status.OPEN, Status.OK, Status.PENDING]
STATUS_LABELS = {
    Status.OVERDUE: _("overdue case"),
    Status.FAILED: _("failed an inspection today"),
    Status.OPEN: _("open case"),
    Status.OK: _("inspected today, passed"),
    Status.PENDING: _("not inspected yet today"),
}
MAX_POINTS = 5000


@dataclass(frozen=True)
class MapFilter:
    point_type: str = ""  # a point type code
    region: str = ""  # a community or grid code
    status: str = ""  # a Status value

    @classmethod
    def from_params(cls, params: Any) -> MapFilter:
        status = params.get("status", "")
        return cls(point_type=params.get("type", "").strip()[:40], region=params.get("region", "").strip()[:40],
                   status=status if status in set(Status) else "")


@dataclass(frozen=True)
class MapPoint:
    code: str
    name: str
    type_code: str
    type_name: str
    community_code: str
    community_name: str
    grid_name: str
    lon: float
    lat: float
    zero_loss: bool
    status: Status
    open_cases: int
    overdue_cases: int

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "type": self.type_name, "lon": self.lon, "lat": self.lat,
                "zero_loss": self.zero_loss, "status": str(self.status), "open": self.open_cases,
                "overdue": self.overdue_cases, "community": self.community_name}


def status_of(*, overdue: int, failed_today: bool, open_cases: int, inspected_today: bool) -> Status:
    if overdue:
        return Status.OVERDUE
    if failed_today:
        return Status.FAILED
    if open_cases:
        return Status.OPEN
    return Status.OK if inspected_today else Status.PENDING


def _count(cases: QuerySet[Case]) -> Subquery:
    return Subquery(cases.filter(point=OuterRef("pk")).order_by().values("point")
                    .annotate(n=Count("id")).values("n")[:1], output_field=IntegerField())


def annotated_points(user: Any, flt: MapFilter, day: dt.date, now: dt.datetime) -> QuerySet[Point]:
    """The user's active points narrowed by `flt`, each annotated with today's figures: one query."""
    qs = points_visible_to(user).filter(active=True)
    if flt.point_type:
        qs = qs.filter(point_type__code=flt.point_type)
    if flt.region:
        region = org_queries.region_for(user, flt.region)
        qs = qs.filter(grid__path__startswith=region.path) if region else qs.none()
    today = Inspection.objects.filter(point=OuterRef("pk"), day=day)
    return (
        qs.annotate(
            inspected_today=Exists(today),
            failed_today=Exists(today.filter(failed_count__gt=0)),
            open_cases=Coalesce(_count(Case.objects.filter(state__in=OPEN_STATES)), Value(0)),
            overdue_cases=Coalesce(_count(Case.objects.filter(overdue_q(now))), Value(0)),
        )
        .order_by("grid__path", "code")
    )


def map_points(user: Any, flt: MapFilter, *, day: dt.date | None = None,
               now: dt.datetime | None = None) -> list[MapPoint]:
    """The points of the map and of its text list, grouped by community (ordered by region path).
    One query, read as plain values (a street has hundreds of points)."""
    now = now or clock.now()
    day = day or clock.today()
    rows = []
    found = annotated_points(user, flt, day, now).values_list(  # type: ignore[misc]  # the annotations
        "code", "name", "point_type__code", "point_type__name", "grid__parent__code", "grid__parent__name",
        "grid__name", "lon", "lat", "zero_loss", "inspected_today", "failed_today", "open_cases", "overdue_cases")
    for (code, name, type_code, type_name, community_code, community_name, grid_name, lon, lat, zero_loss,
         inspected_today, failed_today, open_cases, overdue_cases) in found[:MAX_POINTS]:
        row = MapPoint(
            code=code, name=name, type_code=type_code, type_name=type_name,
            community_code=community_code or "", community_name=community_name or "",
            grid_name=grid_name, lon=float(lon), lat=float(lat), zero_loss=zero_loss,
            status=status_of(overdue=overdue_cases, failed_today=failed_today, open_cases=open_cases,
                             inspected_today=inspected_today),
            open_cases=open_cases, overdue_cases=overdue_cases,
        )
        if not flt.status or row.status == flt.status:
            rows.append(row)
    return rows


def status_counts(points: list[MapPoint]) -> list[tuple[Status, Any, int]]:
    """(status, label, number of points) for the legend, worst first."""
    return [(s, STATUS_LABELS[s], sum(1 for p in points if p.status == s)) for s in STATUS_ORDER]


def boundaries(user: Any, flt: MapFilter) -> dict[str, list[dict[str, Any]]]:
    """GeoJSON boundaries of the communities and grids in view (the filter's region, or the scope)."""
    regions = org_queries.regions_visible_to(user).filter(
        level__in=[Region.Level.COMMUNITY, Region.Level.GRID]).exclude(boundary="")
    if flt.region:
        region = org_queries.region_for(user, flt.region)
        regions = regions.filter(path__startswith=region.path) if region else regions.none()
    out: dict[str, list[dict[str, Any]]] = {"communities": [], "grids": []}
    for r in regions.select_related(None).only("code", "name", "level", "boundary"):
        try:
            shape = json.loads(r.boundary)
        except ValueError:
            continue
        key = "communities" if r.level == Region.Level.COMMUNITY else "grids"
        out[key].append({"code": r.code, "name": r.name, "boundary": shape})
    return out

