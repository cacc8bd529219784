"""Reads of daily plans, scoped to the user: the plan of their street, their own visits, and the
morning board (who goes where and what is done, the cases due today and overdue by unit,
yesterday's coverage)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from chuangcheng.cases.queries import RUNNING_STATES, cases_visible_to, overdue_q
from chuangcheng.core import clock
from chuangcheng.inspections import permissions
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, PlanRules
from chuangcheng.org.models import Region, Unit
from chuangcheng.org.queries import street_of_region
from chuangcheng.places.models import Point


def street_of(user: Any) -> Region | None:
    """The subdistrict the user works in (the street at or above their scope)."""
    if not permissions.can_view_records(user):
        return None
    scope = getattr(user, "scope", None)
    if scope is None:
        return Region.objects.filter(level=Region.Level.STREET).first() if user.is_superuser else None
    return street_of_region(scope)


def _in_scope(user: Any, prefix: str = "point__grid__path") -> Q:
    if user.is_superuser or user.scope is None:
        return Q()
    return Q(**{f"{prefix}__startswith": user.scope.path})


def plan_of(user: Any, day: dt.date) -> DailyPlan | None:
    """The plan of the user's street for `day`, or None (no plan yet, or not theirs to see)."""
    street = street_of(user)
    if street is None:
        return None
    return DailyPlan.objects.select_related("street", "created_by").filter(street=street, day=day).first()


def visits_of(user: Any, day: dt.date) -> list[Assignment]:
    """The user's own visits of the day, in walking order."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        Assignment.objects.filter(plan__day=day, person=user)
        .select_related("plan", "point", "point__point_type", "point__grid", "point__grid__parent")
        .order_by("position", "id")
    )


# What the board shows of a visit (a street's plan has hundreds: the rest is not read).
VISIT_COLUMNS = ("id", "code", "plan_id", "position", "reason", "manual",
                 "person__id", "person__username", "person__first_name", "person__last_name", "person__role",
                 "person__person__id", "person__person__name",
                 "point__id", "point__code", "point__name", "point__zero_loss", "point__grid_id",
                 "point__point_type__id", "point__point_type__name")


def plan_visits(user: Any, plan: DailyPlan) -> QuerySet[Assignment]:
    """The plan's visits the user may see (an admin of a community: those in the community)."""
    return (
        plan.assignments.filter(_in_scope(user))
        .select_related("person", "person__person", "point", "point__point_type")
        .only(*VISIT_COLUMNS)
        .order_by("person__username", "position", "id")
    )


@dataclass
class Visit:
    assignment: Assignment
    done: bool


@dataclass
class PersonRow:
    person: Any
    visits: list[Visit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.visits)

    @property
    def done(self) -> int:
        return sum(1 for v in self.visits if v.done)


@dataclass
class UnitCases:
    unit: Unit | None
    due_today: int = 0
    overdue: int = 0


@dataclass
class Coverage:
    day: dt.date
    required: int
    planned: int
    inspected: int
    planned_done: int
    covered: int = 0  # required points that were inspected

    @property
    def rate(self) -> float | None:
        """Required points inspected, in % (extra visits do not count twice: at most 100)."""
        return self.covered * 100 / self.required if self.required else None


@dataclass
class Board:
    day: dt.date
    plan: DailyPlan | None
    rows: list[PersonRow]
    cases: list[UnitCases]
    yesterday: Coverage

    @property
    def done(self) -> int:
        return sum(row.done for row in self.rows)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def cross(self) -> int:
        """Cross-checks (交叉检查) among the visits shown: another community's points."""
        return sum(1 for row in self.rows for v in row.visits if v.assignment.reason == Assignment.Reason.CROSS)


def board(user: Any, day: dt.date) -> Board:
    """The morning board of the user's street for `day`, limited to what the user may see."""
    plan = plan_of(user, day)
    rows: list[PersonRow] = []
    if plan is not None:
        visits = list(plan_visits(user, plan))
        done = set(Inspection.objects.filter(day=day, point_id__in=[v.point_id for v in visits])
                   .values_list("point_id", flat=True))
        by_person: dict[int, PersonRow] = {}
        for visit in visits:
            row = by_person.get(visit.person_id)
            if row is None:
                row = by_person[visit.person_id] = PersonRow(person=visit.person)
                rows.append(row)
            row.visits.append(Visit(assignment=visit, done=visit.point_id in done))
    return Board(day=day, plan=plan, rows=rows, cases=cases_by_unit(user, day),
                 yesterday=coverage_of(user, day - dt.timedelta(days=1)))


def cases_by_unit(user: Any, day: dt.date) -> list[UnitCases]:
    """Cases whose deadline is still to come on `day` and cases overdue (as of now, or the day's
    end for a past day), per responsible unit, most overdue first."""
    if not permissions.can_view_records(user):
        return []
    start, end = clock.day_bounds(day)
    now = min(clock.now(), end)
    qs = cases_visible_to(user).order_by()
    counts: dict[int | None, UnitCases] = {}
    for unit_id, n in (qs.filter(state__in=RUNNING_STATES, deadline__gte=max(start, now), deadline__lt=end)
                       .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")):
        counts.setdefault(unit_id, UnitCases(unit=None)).due_today = n
    # Counted here rather than grouped by the database: grouped by unit, SQLite walked the whole
    # unit-and-state index (every case of the city, closed ones included) to spare itself a sort.
    for unit_id, n in Counter(qs.filter(overdue_q(now)).values_list("unit_id", flat=True)).items():
        counts.setdefault(unit_id, UnitCases(unit=None)).overdue = n
    units = Unit.objects.in_bulk([pk for pk in counts if pk is not None])
    for key, row in counts.items():
        row.unit = units.get(key) if key is not None else None
    return sorted(counts.values(), key=lambda r: (-r.overdue, -r.due_today, r.unit.name if r.unit else ""))


def coverage_of(user: Any, day: dt.date) -> Coverage:
    """One day in the user's scope: points required (zero-loss, or at the end of their N-day
    window, or never inspected), planned, inspected, and planned ones inspected."""
    street = street_of(user)
    if street is None:
        return Coverage(day=day, required=0, planned=0, inspected=0, planned_done=0)
    rules = PlanRules.objects.filter(street=street).first() or PlanRules(street=street)
    points = Point.objects.within(street).filter(active=True).filter(_in_scope(user, "grid__path"))
    ids = dict(points.values_list("pk", "zero_loss"))
    limit = day - dt.timedelta(days=rules.every_n_days)
    # Inspected inside the window before the day (so not due yet): only the window's rows are read,
    # however long the history.
    recent = set(Inspection.objects.filter(point_id__in=points.values("pk"), day__gt=limit, day__lt=day)
                 .order_by().values_list("point_id", flat=True).distinct())
    required = {pk for pk, zero_loss in ids.items() if zero_loss or pk not in recent}
    planned = set(Assignment.objects.filter(plan__street=street, plan__day=day, point_id__in=points.values("pk"))
                  .values_list("point_id", flat=True))
    inspected = set(Inspection.objects.filter(day=day, point_id__in=points.values("pk"))
                    .values_list("point_id", flat=True))
    return Coverage(day=day, required=len(required), planned=len(planned), inspected=len(inspected),
                    planned_done=len(planned & inspected), covered=len(required & inspected))


def loads(plan: DailyPlan) -> dict[int, int]:
    """Visits per person in a plan (for the board's balance line)."""
    out: dict[int, int] = defaultdict(int)
    for person_id, n in plan.assignments.values("person_id").annotate(n=Count("id")).values_list("person_id", "n"):
        out[person_id] = n
    return dict(out)
