"""Every read of publicity, already scoped to the user who asks: pushes that reached a grid of
their region, items at their points, visits in their grids, and the figures the pages show
(items per point against the catalog's thresholds, household coverage per grid)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from chuangcheng.engagement.publicity import permissions
from chuangcheng.engagement.publicity.models import DeliveryState, HouseholdVisit, OfflineItem, Push, PushDelivery
from chuangcheng.org.models import Region
from chuangcheng.org.queries import regions_visible_to, scope_of
from chuangcheng.places.models import Point
from chuangcheng.places.queries import points_visible_to
from chuangcheng.standards.models import CheckItem, TypeProfile
from chuangcheng.standards.queries import version_in_force

# The catalog's count items that set how much publicity a point needs mention one of these.
THRESHOLD_WORDS = ("公益广告", "宣传")


def _scope_path(user: Any) -> str | None:
    """The path prefix the user sees ("" for everything), None for nothing."""
    if not permissions.can_view_publicity(user):
        return None
    if user.is_superuser:
        return ""
    scope = scope_of(user)
    return scope.path if scope is not None else None


# --- pushes ------------------------------------------------------------------------------------


def pushes_visible_to(user: Any) -> QuerySet[Push]:
    path = _scope_path(user)
    qs = Push.objects.select_related("scope", "author", "image")
    if path is None:
        return qs.none()
    if path:
        reached = PushDelivery.objects.filter(push=OuterRef("pk"), grid__path__startswith=path)
        qs = qs.filter(Exists(reached))
    return qs.order_by("-created_at", "-id")


def deliveries_visible_to(user: Any) -> QuerySet[PushDelivery]:
    path = _scope_path(user)
    qs = PushDelivery.objects.select_related("push", "grid", "grid__parent", "message", "webhook")
    if path is None:
        return qs.none()
    return qs.filter(grid__path__startswith=path) if path else qs


def pushes_with_deliveries(user: Any) -> QuerySet[Push]:
    """The push list: each push with its deliveries in the user's region (one query for all)."""
    return pushes_visible_to(user).prefetch_related(
        Prefetch("deliveries", queryset=deliveries_visible_to(user).order_by("grid__path", "id"), to_attr="shown")
    )


def push_for(user: Any, number: str) -> Push | None:
    return pushes_with_deliveries(user).filter(number=number[:20]).first()


def delivery_counts(push: Any) -> list[tuple[str, str, int]]:
    """(state, label, how many) of a push's shown deliveries, in the states' order."""
    counts: dict[str, int] = {}
    for delivery in push.shown:
        counts[delivery.state] = counts.get(delivery.state, 0) + 1
    return [(state, str(label), counts[state]) for state, label in DeliveryState.choices if state in counts]


def push_grids_for(user: Any) -> QuerySet[Region]:
    """The grids the user may push to (and record visits in)."""
    if not permissions.can_push_anywhere(user):
        return Region.objects.none()
    return regions_visible_to(user).filter(level=Region.Level.GRID).order_by("path")


def push_scopes_for(user: Any) -> QuerySet[Region]:
    """Where a push may be aimed: a community (all its grids) or one grid."""
    if not permissions.can_push_anywhere(user):
        return Region.objects.none()
    return regions_visible_to(user).filter(level__in=[Region.Level.COMMUNITY, Region.Level.GRID]).order_by("path")


# --- offline items -----------------------------------------------------------------------------


def items_visible_to(user: Any) -> QuerySet[OfflineItem]:
    path = _scope_path(user)
    qs = OfflineItem.objects.select_related(
        "point", "point__point_type", "point__grid", "point__grid__parent", "photo", "registered_by")
    if path is None:
        return qs.none()
    return qs.filter(point__grid__path__startswith=path) if path else qs


def item_for(user: Any, code: str) -> OfflineItem | None:
    return items_visible_to(user).filter(code=code[:20]).first()


@dataclass(frozen=True)
class Requirement:
    need: int
    items: tuple[str, ...] = ()  # the catalog item codes behind the number


def requirements() -> dict[int, Requirement]:
    """Per point type id: how many public-service ads the catalog in force asks for. The largest
    threshold among the type's COUNT items that speak of 公益广告 or 宣传 (its own items and those of
    its groups); "of which at least N on a theme" items are within that number, so they are not added."""
    version = version_in_force()
    if version is None:
        return {}
    words = Q()
    for word in THRESHOLD_WORDS:
        words |= Q(text__contains=word)
    items = list(CheckItem.objects.filter(version=version, measure=CheckItem.Measure.COUNT, threshold__isnull=False)
                 .filter(words).order_by("code"))
    by_group: dict[int, list[CheckItem]] = {}
    by_type: dict[int, list[CheckItem]] = {}
    for item in items:
        if item.group_id is not None:
            by_group.setdefault(item.group_id, []).append(item)
        elif item.point_type_id is not None:
            by_type.setdefault(item.point_type_id, []).append(item)
    found: dict[int, list[CheckItem]] = {type_id: list(rows) for type_id, rows in by_type.items()}
    for profile in TypeProfile.objects.filter(version=version).prefetch_related("groups"):
        for group in profile.groups.all():
            found.setdefault(profile.point_type_id, []).extend(by_group.get(group.pk, []))
    result = {}
    for type_id, rows in found.items():
        if rows:
            need = max(int((row.threshold or Decimal(0)).to_integral_value()) for row in rows)
            result[type_id] = Requirement(need=need, items=tuple(row.code for row in rows))
    return result


def active_filter(day: dt.date, prefix: str = "") -> Q:
    """Items standing on `day` that count as public-service ads (banners do not)."""
    return Q(**{
        f"{prefix}kind__in": list(OfflineItem.COUNTED_KINDS), f"{prefix}put_up_on__lte": day,
    }) & (Q(**{f"{prefix}taken_down_on__isnull": True}) | Q(**{f"{prefix}taken_down_on__gt": day}))


@dataclass
class PointRow:
    point: Point
    have: int
    need: int | None
    items: tuple[str, ...] = ()

    @property
    def short(self) -> int:
        return max((self.need or 0) - self.have, 0)

    @property
    def below(self) -> bool:
        return self.short > 0


@dataclass(frozen=True)
class PointFilter:
    community: str = ""
    point_type: str = ""
    below: bool = False
    q: str = ""


def point_rows(user: Any, flt: PointFilter, *, day: dt.date) -> list[PointRow]:
    """Every active point in scope with the public-service ads standing there on `day` and the
    number the catalog asks for; `below` keeps those short of it."""
    if not permissions.can_view_publicity(user):
        return []
    qs = points_visible_to(user).filter(active=True)
    if flt.community:
        community = regions_visible_to(user).filter(code=flt.community).first()
        qs = qs.filter(grid__path__startswith=community.path) if community else qs.none()
    if flt.point_type:
        qs = qs.filter(point_type__code=flt.point_type)
    if flt.q:
        qs = qs.filter(Q(name__icontains=flt.q) | Q(code__icontains=flt.q))
    qs = qs.annotate(have=Coalesce(Sum("publicity_items__count", filter=active_filter(day, "publicity_items__")),
                                   0, output_field=IntegerField()))
    needs = requirements()
    rows = []
    for point in qs.order_by("grid__path", "code"):
        requirement = needs.get(point.point_type_id)
        row = PointRow(point=point, have=int(point.have), need=requirement.need if requirement else None,
                       items=requirement.items if requirement else ())
        if not flt.below or row.below:
            rows.append(row)
    return rows


def point_row(user: Any, point: Point, *, day: dt.date) -> PointRow:
    have = (OfflineItem.objects.filter(point=point).filter(active_filter(day))
            .aggregate(n=Coalesce(Sum("count"), 0))["n"])
    requirement = requirements().get(point.point_type_id)
    return PointRow(point=point, have=int(have), need=requirement.need if requirement else None,
                    items=requirement.items if requirement else ())


# --- household visits --------------------------------------------------------------------------


def visits_visible_to(user: Any) -> QuerySet[HouseholdVisit]:
    path = _scope_path(user)
    qs = HouseholdVisit.objects.select_related("grid", "grid__parent", "visitor", "visitor__person")
    if path is None:
        return qs.none()
    return qs.filter(grid__path__startswith=path) if path else qs


@dataclass(frozen=True)
class VisitFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    region: str = ""  # a community or grid code
    result: str = ""


def filter_visits(user: Any, flt: VisitFilter) -> QuerySet[HouseholdVisit]:
    qs = visits_visible_to(user)
    if flt.start:
        qs = qs.filter(day__gte=flt.start)
    if flt.end:
        qs = qs.filter(day__lte=flt.end)
    if flt.region:
        region = regions_visible_to(user).filter(code=flt.region).first()
        qs = qs.filter(grid__path__startswith=region.path) if region else qs.none()
    if flt.result:
        qs = qs.filter(result=flt.result)
    return qs.order_by("-day", "-id")


@dataclass
class CoverageRow:
    region: Region
    households: int | None
    covered: int
    visits: int

    @property
    def rate(self) -> float | None:
        """Covered households over the region's households, as a fraction (None: not known)."""
        return self.covered / self.households if self.households else None

    @property
    def percent(self) -> str:
        return f"{self.rate * 100:.1f}%" if self.rate is not None else "—"


@dataclass
class CommunityCoverage:
    total: CoverageRow
    grids: list[CoverageRow] = field(default_factory=list)


def coverage(user: Any, *, start: dt.date, end: dt.date, community: str = "") -> list[CommunityCoverage]:
    """Per community in scope, and per grid within: distinct households visited with result
    "visited" between `start` and `end` (both included) over the grid's households. Nobody home
    and refused do not cover a household. A community's households are the sum of its grids'."""
    path = _scope_path(user)
    if path is None:
        return []
    grids = regions_visible_to(user).filter(level=Region.Level.GRID).select_related("parent").order_by("path")
    if community:
        found = regions_visible_to(user).filter(code=community).first()
        grids = grids.filter(path__startswith=found.path) if found else grids.none()
    visits = (HouseholdVisit.objects.filter(day__gte=start, day__lte=end, result=HouseholdVisit.Result.VISITED)
              .filter(grid__path__startswith=path))
    covered = dict(visits.values("grid").annotate(n=Count("household", distinct=True)).values_list("grid", "n"))
    counts = dict(visits.values("grid").annotate(n=Count("id")).values_list("grid", "n"))
    result: dict[int, CommunityCoverage] = {}
    order: list[int] = []
    for grid in grids:
        parent = grid.parent
        if parent is None:
            continue
        if parent.pk not in result:
            result[parent.pk] = CommunityCoverage(total=CoverageRow(region=parent, households=0, covered=0, visits=0))
            order.append(parent.pk)
        row = CoverageRow(region=grid, households=grid.households, covered=covered.get(grid.pk, 0),
                          visits=counts.get(grid.pk, 0))
        block = result[parent.pk]
        block.grids.append(row)
        block.total.covered += row.covered
        block.total.visits += row.visits
        block.total.households = (block.total.households or 0) + (grid.households or 0)
    for block in result.values():
        block.total.households = block.total.households or None
    return [result[pk] for pk in order]
