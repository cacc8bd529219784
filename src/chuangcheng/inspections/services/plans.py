"""Every write to daily plans (日调度): making a street's plan for a day (the morning job, or on
demand), and the hand changes an admin makes to it (move, add, remove a visit). The choosing is
`inspections.planning`, pure; this module reads what it needs and writes the rows."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Case, Source, State
from chuangcheng.cases.queries import OPEN_STATES
from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.inspections import permissions, planning
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult, PlanRules
from chuangcheng.org.models import Region, Role, User
from chuangcheng.places.models import Point

logger = logging.getLogger(__name__)

PLANNED_ROLES = (Role.INSPECTOR, Role.GRID_WORKER)
FAILED_WITHIN_DAYS = 7
REPORTED_WITHIN_DAYS = 14
# Priority weights: an open case counts most, then each recent failure and resident report.
OPEN_CASE_WEIGHT = 2


def rules_for(street: Region) -> PlanRules:
    """The street's saved rules, or the defaults (unsaved) when it has none."""
    return PlanRules.objects.filter(street=street).first() or PlanRules(street=street)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# -- reading the street for the planner ------------------------------------------------------------

def plan_points(street: Region, day: dt.date) -> tuple[list[planning.PlanPoint], dict[int, Point]]:
    """The street's active points as the planner sees them on `day`."""
    points = {p.pk: p for p in Point.objects.within(street).filter(active=True).select_related("grid")}
    ids = list(points)
    last = dict(
        Inspection.objects.filter(point_id__in=ids, day__lte=day).values("point_id")
        .annotate(last=Max("day")).values_list("point_id", "last")
    )
    priority: dict[int, int] = defaultdict(int)
    cases = Case.objects.filter(point_id__in=ids)
    for pid, n in (cases.filter(state__in=[s for s in OPEN_STATES if s != State.RECTIFIED])
                   .values("point_id").annotate(n=Count("id")).values_list("point_id", "n")):
        priority[pid] += OPEN_CASE_WEIGHT * n
    for pid, n in (ItemResult.objects.filter(
            result=ItemResult.Result.FAIL, inspection__point_id__in=ids,
            inspection__day__gte=day - dt.timedelta(days=FAILED_WITHIN_DAYS), inspection__day__lt=day)
            .values("inspection__point_id").annotate(n=Count("id"))
            .values_list("inspection__point_id", "n")):
        priority[pid] += n
    for pid, n in (cases.filter(source=Source.RESIDENT,
                                reported_at__gte=_day_start(day - dt.timedelta(days=REPORTED_WITHIN_DAYS)),
                                reported_at__lt=_day_start(day + dt.timedelta(days=1)))
                   .values("point_id").annotate(n=Count("id")).values_list("point_id", "n")):
        priority[pid] += n
    verify = set(cases.filter(state=State.RECTIFIED).values_list("point_id", flat=True))
    return [
        planning.PlanPoint(id=p.pk, lon=float(p.lon), lat=float(p.lat), grid_id=p.grid_id, zero_loss=p.zero_loss,
                           last_inspected=last.get(p.pk), priority=priority.get(p.pk, 0), verify=p.pk in verify)
        for p in sorted(points.values(), key=lambda p: p.code)
    ], points


def plan_people(street: Region) -> tuple[list[planning.PlanPerson], dict[int, User]]:
    """Active inspectors and grid workers whose scope is inside the street. Scoped to the street
    itself: anywhere; to a community or a grid: the grids under it."""
    users = {u.pk: u for u in User.objects.filter(
        is_active=True, role__in=PLANNED_ROLES, scope__path__startswith=street.path).select_related("scope")}
    grids = list(Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path).values_list("pk", "path"))
    people = []
    for user in sorted(users.values(), key=lambda u: u.username):
        scope = user.scope
        if scope is None:  # never: the filter above
            continue
        grid_ids = None if scope.pk == street.pk else frozenset(
            pk for pk, path in grids if path.startswith(scope.path))
        people.append(planning.PlanPerson(id=user.pk, grid_ids=grid_ids))
    return people, users


# -- making the plan ---------------------------------------------------------------------------

def make_plan(street: Region, day: dt.date, *, by: Any = None, replace: bool = False) -> DailyPlan:
    """The street's plan for `day`: made once; asked again, the existing plan is returned.
    `replace=True` plans again, keeping the visits changed by hand. The points nobody could take
    are on `plan.leftover` ([(Point, reason)]) and in the audit event."""
    if street.level != Region.Level.STREET:
        raise ValidationError({"street": _("A plan is made for a subdistrict.")})
    if by is not None and not permissions.can_plan(by, street):
        raise PermissionDenied(_("Only the subdistrict's admin may plan its day."))
    existing = DailyPlan.objects.filter(street=street, day=day).first()
    if existing is not None and not replace:
        existing.leftover = []  # type: ignore[attr-defined]
        return existing
    try:
        with transaction.atomic():
            return _write_plan(street, day, by=by, existing=existing)
    except IntegrityError:
        # Somebody else made it a moment ago (two morning jobs, or a click during the job).
        found = DailyPlan.objects.filter(street=street, day=day).first()
        if found is None:
            raise
        found.leftover = []  # type: ignore[attr-defined]
        return found


def _write_plan(street: Region, day: dt.date, *, by: Any, existing: DailyPlan | None) -> DailyPlan:
    rules = rules_for(street)
    points, point_rows = plan_points(street, day)
    people, _users = plan_people(street)
    kept: list[Assignment] = []
    if existing is not None:
        plan = DailyPlan.objects.select_for_update().get(pk=existing.pk)
        # Visits already walked (an inspection links them) and visits set by hand stay.
        kept = list(plan.assignments.filter(manual=True) | plan.assignments.filter(inspections__isnull=False))
        kept = list({a.pk: a for a in kept}.values())
        plan.assignments.exclude(pk__in=[a.pk for a in kept]).delete()
        plan.updated_at = clock.now()
        plan.save(update_fields=["updated_at"])
    else:
        plan = DailyPlan.objects.create(street=street, day=day, created_by=by if _is_user(by) else None)
    kept_points = {a.point_id for a in kept}
    free_points = [p for p in points if p.id not in kept_points]
    # A kept visit counts toward its person's day.
    held: dict[int, int] = defaultdict(int)
    for a in kept:
        held[a.person_id] += 1
    community_of_grid = dict(Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path)
                             .values_list("pk", "parent_id"))
    result = planning.plan(day, free_points, people, every_n_days=rules.every_n_days,
                           max_per_person=rules.max_points_per_person,
                           cross_checks_per_day=rules.cross_checks_per_day, community_of_grid=community_of_grid)
    rows: list[Assignment] = []
    over: list[tuple[int, str]] = []
    for person_id, visits in result.visits.items():
        room = max(0, rules.max_points_per_person - held.get(person_id, 0))
        rows += [Assignment(plan=plan, person_id=person_id, point_id=pid, reason=reason,
                            position=held.get(person_id, 0) + n)
                 for n, (pid, reason) in enumerate(visits[:room], start=1)]
        over += [(pid, reason) for pid, reason in visits[room:] if reason in planning.REQUIRED]
    Assignment.objects.bulk_create(rows)
    for person_id in held:  # only people with kept visits: theirs and the new ones need one route
        _reorder(plan, person_id)
    leftover = [(point_rows[pid], reason) for pid, reason in [*result.leftover, *over]]
    plan.leftover = leftover  # type: ignore[attr-defined]
    audit.record(
        actor=by, action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE, instance=plan,
        changes={"visits": len(rows) + len(kept), "people": len({r.person_id for r in rows} | set(held)),
                 "kept": len(kept), "leftover": [f"{point.code}:{reason}" for point, reason in leftover]},
        region_path=street.path, note="replanned" if existing else "",
    )
    if leftover:
        logger.warning("plan %s %s: %d required points could not be placed", street.code, day, len(leftover))
    return plan


def _is_user(by: Any) -> bool:
    return bool(getattr(by, "is_authenticated", False))


def _number(rows: Sequence[Assignment]) -> None:
    """Positions 1, 2, 3 … per person, in the order given (the planner's walking order)."""
    counter: dict[int, int] = defaultdict(int)
    for row in rows:
        counter[row.person_id] += 1
        row.position = counter[row.person_id]
    Assignment.objects.bulk_update(list(rows), ["position"])


def _reorder(plan: DailyPlan, person_id: int) -> None:
    """Walk the person's visits again from the first one: a good order after a change."""
    visits = list(plan.assignments.filter(person_id=person_id).select_related("point").order_by("position", "id"))
    if not visits:
        return
    coords = [(float(a.point.lon), float(a.point.lat)) for a in visits]
    order = planning.route(coords)
    _number([visits[i] for i in order])


def make_todays_plans(now: dt.datetime | None = None) -> int:
    """The morning job: every street whose `plan_at` has passed today and that has no plan for
    today yet gets one. Run it as often as you like; returns how many plans it made."""
    moment = clock.local(now or clock.now())
    today = moment.date()
    made = 0
    streets = Region.objects.filter(level=Region.Level.STREET).exclude(daily_plans__day=today)
    for street in streets:
        if moment.time() < rules_for(street).plan_at:
            continue
        if not Point.objects.within(street).filter(active=True).exists():
            continue
        if DailyPlan.objects.filter(street=street, day=today).exists():
            continue
        try:
            make_plan(street, today)
            made += 1
        except Exception:  # one street failing must not stop the others
            logger.exception("the morning plan of %s failed", street.code)
    return made


# -- changes by hand ---------------------------------------------------------------------------

def _require_plan_change(by: Any, point: Point) -> None:
    """A street admin changes any visit of the street; a community admin those in their community."""
    if not permissions.can_plan(by, point.grid):
        raise PermissionDenied(_("You may only change visits to points inside your own scope."))


def _check_person(person: Any, point: Point, field: str = "person") -> None:
    if not (getattr(person, "role", None) in PLANNED_ROLES and person.is_active
            and permissions.can_inspect(person, point)):
        raise ValidationError({field: _("%(person)s cannot inspect %(point)s.")
                               % {"person": person, "point": point}})


def _insert_cheaply(plan: DailyPlan, person_id: int, assignment: Assignment) -> None:
    """Put `assignment` where it lengthens the person's walk least, keeping the rest in order."""
    others = list(plan.assignments.filter(person_id=person_id).exclude(pk=assignment.pk)
                  .select_related("point").order_by("position", "id"))
    here = (float(assignment.point.lon), float(assignment.point.lat))
    coords = [(float(a.point.lon), float(a.point.lat)) for a in others]
    best_at, best_cost = len(others), float("inf")
    for at in range(len(others) + 1):
        prev = coords[at - 1] if at > 0 else None
        nxt = coords[at] if at < len(others) else None
        cost = (planning._dist(prev, here) if prev else 0.0) + (planning._dist(here, nxt) if nxt else 0.0)
        cost -= planning._dist(prev, nxt) if prev and nxt else 0.0
        if cost < best_cost:
            best_at, best_cost = at, cost
    ordered = [*others[:best_at], assignment, *others[best_at:]]
    _number(ordered)


def _renumber(plan: DailyPlan, person_id: int) -> None:
    _number(list(plan.assignments.filter(person_id=person_id).order_by("position", "id")))


def _touch(plan: DailyPlan) -> None:
    plan.updated_at = clock.now()
    plan.save(update_fields=["updated_at"])


@transaction.atomic
def move_visit(assignment: Assignment, *, to_person: Any, by: Any) -> Assignment:
    """Give a planned visit to somebody else; it goes where it lengthens their walk least."""
    assignment = Assignment.objects.select_for_update().select_related("plan", "point", "point__grid", "person").get(
        pk=assignment.pk)
    point = assignment.point
    _require_plan_change(by, point)
    _check_person(to_person, point, "to_person")
    before = assignment.person
    if before.pk == to_person.pk:
        return assignment
    assignment.person = to_person
    assignment.manual = True
    assignment.save(update_fields=["person", "manual"])
    _insert_cheaply(assignment.plan, to_person.pk, assignment)
    _renumber(assignment.plan, before.pk)
    _touch(assignment.plan)
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=assignment,
                 changes={"person": [before.username, to_person.username], "point": point.code},
                 region_path=point.grid.path, note="visit moved")
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def add_visit(plan: DailyPlan, *, point: Point, person: Any, by: Any) -> Assignment:
    """Add a visit by hand to somebody's day."""
    _require_plan_change(by, point)
    if not point.grid.path.startswith(plan.street.path):
        raise ValidationError({"point": _("This point is not in the plan's subdistrict.")})
    if not point.active:
        raise ValidationError({"point": _("This point is no longer in use.")})
    _check_person(person, point)
    if plan.assignments.filter(point=point).exists():
        raise ValidationError({"point": _("This point is already in the day's plan.")})
    assignment = Assignment.objects.create(plan=plan, person=person, point=point, reason=Assignment.Reason.MANUAL,
                                           manual=True, position=0)
    _insert_cheaply(plan, person.pk, assignment)
    _touch(plan)
    audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=assignment,
                 changes={"person": person.username, "point": point.code, "day": plan.day.isoformat()},
                 region_path=point.grid.path, note="visit added")
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def remove_visit(assignment: Assignment, *, by: Any) -> None:
    """Take a visit out of the day. A visit already inspected stays (it is part of the record)."""
    assignment = Assignment.objects.select_for_update().select_related("plan", "point", "point__grid", "person").get(
        pk=assignment.pk)
    point = assignment.point
    _require_plan_change(by, point)
    if Inspection.objects.filter(assignment=assignment).exists() or Inspection.objects.filter(
            point=point, day=assignment.plan.day).exists():
        raise ValidationError({"point": _("This point has already been inspected that day.")})
    plan, person = assignment.plan, assignment.person
    audit.record(actor=by, action=AuditEvent.Action.DELETE, instance=assignment,
                 changes={"person": person.username, "point": point.code, "day": plan.day.isoformat()},
                 region_path=point.grid.path, note="visit removed")
    assignment.delete()
    _renumber(plan, person.pk)
    _touch(plan)


RULE_FIELDS = ("every_n_days", "max_points_per_person", "distance_limit_m", "grace_hours", "plan_at",
               "cross_checks_per_day")


@transaction.atomic
def save_rules(street: Region, *, by: Any, **values: Any) -> tuple[PlanRules, bool]:
    """A subdistrict's planning rules, changed by its street admin; audited like other registers.
    Returns (rules, changed). They apply from the next plan made."""
    from chuangcheng.core.services import save_audited
    from chuangcheng.org.permissions import is_street_admin

    if street.level != Region.Level.STREET:
        raise ValidationError({"street": _("Planning rules belong to a subdistrict.")})
    if by is not None and not (is_street_admin(by) and permissions.can_plan(by, street)):
        raise PermissionDenied(_("Only the subdistrict's admin may change its planning rules."))
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown planning rules: {', '.join(sorted(unknown))}")
    rules = PlanRules.objects.select_for_update().filter(street=street).first() or PlanRules(street=street)
    return save_audited(rules, by=by, values=values, region_path=street.path)
