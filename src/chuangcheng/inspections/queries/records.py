"""Reads of inspection records, already scoped: staff see the inspections of their region; unit
handlers and volunteers see none. Also the checklist a point is inspected against, coverage per
community and the cases waiting for verification at the points of a day."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet

from chuangcheng.cases.models import Case, State
from chuangcheng.cases.queries import cases_visible_to
from chuangcheng.core import periods
from chuangcheng.core.periods import Period
from chuangcheng.inspections.models import Assignment, Inspection, PlanRules
from chuangcheng.inspections.permissions import can_view_records
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.org.queries import scope_of, street_of_region
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CheckItem
from chuangcheng.standards.queries import checklist_for


def checklist_of(point: Point) -> list[CheckItem]:
    """What is checked at the point today: its type's items in the catalog version in force."""
    return list(checklist_for(point.point_type))


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    """The inspections of the user's region, and the user's own (a cross-check of another
    community stays readable by whoever made it, and nothing else of that community does)."""
    if not can_view_records(user):
        return Inspection.objects.none()
    qs = Inspection.objects.select_related("point", "point__point_type", "grid", "grid__parent", "inspector",
                                           "version")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.filter(inspector=user)
    return qs.filter(Q(grid__path__startswith=scope.path) | Q(inspector=user))


def cross_point_for(user: Any, code: str, day: dt.date | None = None) -> Point | None:
    """A point outside the user's region that their plan of `day` (default today) gives them as a
    cross-check (交叉检查): the one way they reach it."""
    from chuangcheng.core import clock

    found = (Assignment.objects.filter(plan__day=day or clock.today(), person=user, point__code=code,
                                       reason=Assignment.Reason.CROSS)
             .select_related("point", "point__point_type", "point__grid").first()) if getattr(
        user, "pk", None) else None
    return found.point if found is not None else None


def inspection_for(user: Any, pk: int) -> Inspection | None:
    """By primary key: only for the old `/inspections/<id>/` links that frozen bulletins still hold."""
    return inspections_visible_to(user).filter(pk=pk).first()


def inspection_by_key(user: Any, key: str) -> Inspection | None:
    """The inspection a page names by its submission key (unique, made by the phone)."""
    return inspections_visible_to(user).filter(key=key).first()


def results_of(inspection: Inspection) -> QuerySet[Any]:
    """The item results in checklist order, with item, category, case and photos joined."""
    return (inspection.results.select_related("item", "item__group", "category", "case", "case__unit")
            .prefetch_related("photos")
            .order_by("item__group__sort_order", "item__point_type__sort_order", "item__sort_order", "item__code"))


def point_history(user: Any, point: Point) -> QuerySet[Inspection]:
    """The point's inspections, newest first (its scores over time)."""
    return inspections_visible_to(user).filter(point=point).order_by("-day", "-submitted_at", "-id")


def person_history(user: Any, person_user: Any, since: dt.date, until: dt.date) -> QuerySet[Inspection]:
    """What one person covered between two dates (both included), as far as `user` may see."""
    return (inspections_visible_to(user).filter(inspector=person_user, day__gte=since, day__lte=until)
            .order_by("-day", "-submitted_at", "-id"))


@dataclass(frozen=True)
class CoverageRow:
    """One community over a date range. `required`: the visits the rules ask for (each zero-loss
    point every day, every other point once in each N days, rounded up). `planned`: visits in the
    plans. `inspected`: point-days with an inspection. `covered`: inspected point-days that count
    toward a requirement (a point inspected more often than required counts as required, not more),
    so the coverage rate `covered / required` never passes 100 %."""

    region: Region
    required: int
    planned: int
    inspected: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered * 100 / self.required if self.required else None

    @property
    def planned_rate(self) -> float | None:
        return self.planned * 100 / self.required if self.required else None


def coverage(user: Any, day_from: dt.date, day_to: dt.date) -> list[CoverageRow]:
    """Per community in the user's scope (a grid worker: their grid), over both dates included.
    Three queries a community, whatever the number of days."""
    if not can_view_records(user) or day_to < day_from:
        return []
    regions = _coverage_regions(user)
    if not regions:
        return []
    days = (day_to - day_from).days + 1
    rules = {r.street_id: r.every_n_days for r in PlanRules.objects.all()}
    rows = []
    for region in regions:
        every = rules.get(getattr(street_of_region(region), "pk", 0), PlanRules._meta.get_field("every_n_days").default)
        needed = {pid: days if zero_loss else math.ceil(days / every) for pid, zero_loss in
                  Point.objects.filter(active=True, grid__path__startswith=region.path).values_list("id", "zero_loss")}
        visited = dict(Inspection.objects.filter(day__gte=day_from, day__lte=day_to,
                                                 grid__path__startswith=region.path)
                       .order_by().values("point_id").annotate(n=Count("day", distinct=True))
                       .values_list("point_id", "n"))
        planned = Assignment.objects.filter(plan__day__gte=day_from, plan__day__lte=day_to,
                                            point__grid__path__startswith=region.path).count()
        rows.append(CoverageRow(
            region=region, required=sum(needed.values()), planned=planned, inspected=sum(visited.values()),
            covered=sum(min(n, needed.get(pid, 0)) for pid, n in visited.items()),
        ))
    return rows


def _coverage_regions(user: Any) -> list[Region]:
    communities = Region.objects.filter(level=Region.Level.COMMUNITY).select_related("parent").order_by("path")
    if user.is_superuser:
        return list(communities)
    scope = scope_of(user)
    if scope is None:
        return []
    if scope.level >= Region.Level.COMMUNITY:
        return [scope]
    return list(communities.filter(path__startswith=scope.path))


def cases_to_verify_at(user: Any, point_ids: Any) -> dict[int, list[Case]]:
    """Rectified cases at these points, waiting for someone to verify them on site."""
    found: dict[int, list[Case]] = defaultdict(list)
    for case in (cases_visible_to(user).filter(point_id__in=list(point_ids), state=State.RECTIFIED)
                 .order_by("rectified_at", "id")):
        assert case.point_id is not None  # noqa: S101 - filtered by point
        found[case.point_id].append(case)
    return dict(found)


DEFAULT_DAYS = 30


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger is narrowed to, from the inspection records' query string."""

    since: dt.date
    until: dt.date
    region: str = ""  # community or grid code
    point_type: str = ""
    person: str = ""  # the inspector's username
    point: str = ""  # point code
    failed: bool = False  # only inspections with a failed item
    kind: str = ""  # who checked: an `Inspection.Kind`, or "independent" for every kind but self

    @classmethod
    def from_params(cls, params: Any, *, period: Period | None = None, today: dt.date | None = None) -> LedgerFilter:
        """The filter of a query string, for `period` (already read by the page's period form) or
        the query string's `since`/`until`: ValidationError for a date that is not a date or a
        period that ends before it starts."""
        since, until = (period or periods.parse_period(params, default_days=DEFAULT_DAYS, today=today)).bounds()
        return cls(
            since=since, until=until,
            region=(params.get("community") or params.get("region") or "").strip()[:40],
            point_type=params.get("type", "").strip()[:40], person=params.get("person", "").strip()[:150],
            point=params.get("point", "").strip()[:40], failed=params.get("failed", "") in {"1", "true", "on"},
            kind=_kind_param(params.get("kind", "")),
        )

    def query_string(self) -> str:
        values = [("since", self.since.isoformat()), ("until", self.until.isoformat()), ("community", self.region),
                  ("type", self.point_type), ("person", self.person), ("point", self.point),
                  ("failed", "1" if self.failed else ""), ("kind", self.kind)]
        return urlencode([(k, v) for k, v in values if v])


def filter_inspections(user: Any, flt: LedgerFilter) -> QuerySet[Inspection]:
    """The user's inspections narrowed by `flt`; unknown codes give nothing, never an error."""
    qs = inspections_visible_to(user).filter(day__gte=flt.since, day__lte=flt.until)
    if flt.region:
        region = org_queries.region_for(user, flt.region)
        qs = qs.filter(grid__path__startswith=region.path) if region else qs.none()
    if flt.point_type:
        qs = qs.filter(point__point_type__code=flt.point_type)
    if flt.person:
        qs = qs.filter(inspector__username=flt.person)
    if flt.point:
        qs = qs.filter(point__code=flt.point)
    if flt.failed:
        qs = qs.filter(failed_count__gt=0)
    if flt.kind == INDEPENDENT:
        qs = qs.exclude(kind=Inspection.Kind.SELF)
    elif flt.kind:
        qs = qs.filter(kind=flt.kind)
    return qs


INDEPENDENT = "independent"


def kind_choices() -> list[tuple[str, str]]:
    """The ledger's filter by who checked: any, independent checks together, then each kind."""
    from django.utils.translation import gettext as _

    return [("", _("anyone")), (INDEPENDENT, _("independent checks (all but self-checks)")),
            *((value, str(label)) for value, label in Inspection.Kind.choices)]


def _kind_param(value: Any) -> str:
    """A kind the ledger knows, else none (an unknown value filters nothing, never errs)."""
    value = str(value or "").strip()
    return value if value == INDEPENDENT or value in Inspection.Kind.values else ""
