"""Reads of meetings and tasks, already scoped to the user who asks.

- The street office, its leaders and inspectors (scope at or above a street) see the street's
  meetings and all its tasks.
- Community admins and grid workers read their street's meetings and see the tasks scoped in
  their community or grid (by region or by a point there).
- A unit's handlers see their unit's tasks within their own scope (and the tasks whose person in
  charge they are), and the meetings their unit attended or got tasks from there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet

from chuangcheng.core import clock
from chuangcheng.core.periods import Period, parse_period
from chuangcheng.engagement.tasklists.models import (
    OPEN_STATES,
    RUNNING_STATES,
    Meeting,
    MeetingDecision,
    Task,
    TaskEvent,
    TaskState,
)
from chuangcheng.org.models import Region, Role, Unit
from chuangcheng.org.queries import scope_of

STREET_WIDE_ROLES = {Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def in_region_q(region: Region) -> Q:
    """Tasks scoped in `region` (a community or grid, or their points); a subquery, so no duplicates."""
    regions = Task.regions.through.objects.filter(region__path__startswith=region.path).values("task_id")
    points = Task.points.through.objects.filter(point__grid__path__startswith=region.path).values("task_id")
    return Q(id__in=regions) | Q(id__in=points)


def unit_handler_region_q(scope: Region) -> Q:
    """A unit's tasks that a handler of that unit sees: those in the handler's own scope (the
    street's tasks for a handler scoped at the street, the community's for one scoped there), never
    the unit's work in other communities or streets."""
    return Q(street__path__startswith=scope.path) | in_region_q(scope)


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    if not _active(user):
        return Task.objects.none()
    qs = Task.objects.select_related("street", "unit", "person", "meeting", "decision", "verified_by")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    person = getattr(user, "person", None)
    own = Q(person_id=person.pk) if person is not None else Q(pk__in=[])
    if user.role == Role.UNIT_HANDLER:
        if person is not None and person.unit_id is not None:
            own |= Q(unit_id=person.unit_id) & unit_handler_region_q(scope)
        return qs.filter(own)
    if user.role in STREET_WIDE_ROLES and scope.level <= Region.Level.STREET:
        return qs.filter(Q(street__path__startswith=scope.path) | own)
    if user.role in {Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR, Role.COMMUNITY_ADMIN, Role.GRID_WORKER}:
        return qs.filter(in_region_q(scope) | own)
    return qs.filter(own)


def task_for(user: Any, number: str) -> Task | None:
    return tasks_visible_to(user).filter(number=number[:30]).first()


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    if not _active(user):
        return Meeting.objects.none()
    qs = Meeting.objects.select_related("street")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    if user.role == Role.UNIT_HANDLER:
        person = getattr(user, "person", None)
        unit_id = person.unit_id if person is not None else None
        if unit_id is None:
            return qs.none()
        with_tasks = (Task.objects.filter(unit_handler_region_q(scope), unit_id=unit_id, meeting__isnull=False)
                      .values("meeting_id"))
        attended = Meeting.units.through.objects.filter(unit_id=unit_id).values("meeting_id")
        return qs.filter(Q(id__in=attended) | Q(id__in=with_tasks))
    if user.role not in {Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR, Role.COMMUNITY_ADMIN, Role.GRID_WORKER}:
        return qs.none()
    streets = [p for p in _ancestor_paths(scope) if p.count("/") >= 3]
    return qs.filter(Q(street__path__startswith=scope.path) | Q(street__path__in=streets))


def _ancestor_paths(region: Region) -> list[str]:
    codes = region.ancestor_codes()
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def meeting_for(user: Any, number: str) -> Meeting | None:
    return meetings_visible_to(user).filter(number=number[:30]).first()


def meeting_detail(meeting: Meeting) -> Meeting:
    """The meeting with its units, people, decisions (and their tasks) and photos, read in a few queries."""
    decisions = MeetingDecision.objects.order_by("position").prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("unit").order_by("number")))
    return (Meeting.objects.filter(pk=meeting.pk).select_related("street", "created_by")
            .prefetch_related("units", "attendees", "photos", Prefetch("decisions", queryset=decisions))
            .get())


def streets_for(user: Any) -> QuerySet[Region]:
    """The subdistricts where the user may assign tasks and record meetings."""
    if not _active(user):
        return Region.objects.none()
    qs = Region.objects.filter(level=Region.Level.STREET)
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None or user.role != Role.STREET_ADMIN:
        return qs.none()
    return qs.filter(path__startswith=scope.path)


def street_of_user(user: Any) -> Region | None:
    """The subdistrict a user's work belongs to (their scope's, or the one below a district scope)."""
    from chuangcheng.org.queries import street_of_region

    if not _active(user):
        return None
    scope = user.scope
    if scope is None:
        return Region.objects.filter(level=Region.Level.STREET).order_by("path").first()
    if scope.level < Region.Level.STREET:
        return Region.objects.filter(level=Region.Level.STREET, path__startswith=scope.path).order_by("path").first()
    return street_of_region(scope)


# --- the list ----------------------------------------------------------------------------------


STATE_FILTERS = ["open", "running", *TaskState.values]


@dataclass(frozen=True)
class TaskFilter:
    """What a task list is narrowed to, from a page's query string or an API call alike. `since` and
    `until` are local dates (inclusive) of the deadline."""

    q: str = ""
    state: str = ""  # a TaskState value, "open" (not done or cancelled) or "running" (with the unit)
    unit: str = ""  # unit code
    region: str = ""  # community or grid code
    meeting: str = ""  # meeting number
    overdue: bool = False
    due_soon: bool = False
    on_time: str = ""  # "1": done on time, "0": done late
    mine: bool = False
    since: str = ""
    until: str = ""

    @classmethod
    def from_params(cls, params: Any, *, period: Period | None = None) -> TaskFilter:
        """The filter of a query string, for `period` (already read by the page's period form) or
        the query string's `since`/`until`: ValidationError for a bad date or a reversed period."""
        period = period or parse_period(params)

        def flag(name: str) -> bool:
            return params.get(name, "") in {"1", "true", "on"}

        state = params.get("state", "")
        on_time = params.get("on_time", "")
        return cls(
            q=params.get("q", "").strip()[:100], state=state if state in STATE_FILTERS else "",
            unit=params.get("unit", "")[:40], region=params.get("region", "")[:40],
            meeting=params.get("meeting", "")[:30], overdue=flag("overdue"), due_soon=flag("due_soon"),
            on_time=on_time if on_time in {"0", "1"} else "", mine=flag("mine"),
            since=period.since.isoformat() if period.since else "",
            until=period.until.isoformat() if period.until else "",
        )

    def is_empty(self) -> bool:
        return self == TaskFilter()

    def query_string(self, **override: Any) -> str:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(override)
        return urlencode([(name, "1" if value is True else value) for name, value in values.items() if value])


def overdue_q(now: dt.datetime) -> Q:
    """With the unit after the end of the due date (the same rule as `Task.is_overdue`)."""
    return Q(state__in=RUNNING_STATES, due_on__lt=clock.local(now).date())


def due_soon_q(now: dt.datetime) -> Q:
    today = clock.local(now).date()
    return Q(state__in=RUNNING_STATES, warn_on__lte=today, due_on__gte=today)


def filter_tasks(user: Any, flt: TaskFilter, *, now: dt.datetime | None = None) -> QuerySet[Task]:
    """The user's tasks narrowed by `flt`; unknown codes give an empty list, never an error."""
    now = now or clock.now()
    qs = tasks_visible_to(user)
    if flt.q:
        qs = qs.filter(Q(number__icontains=flt.q) | Q(title__icontains=flt.q) | Q(description__icontains=flt.q))
    if flt.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif flt.state == "running":
        qs = qs.filter(state__in=RUNNING_STATES)
    elif flt.state:
        qs = qs.filter(state=flt.state)
    if flt.unit:
        qs = qs.filter(unit__code=flt.unit)
    if flt.region:
        region = Region.objects.filter(code=flt.region).only("path").first()
        qs = qs.filter(in_region_q(region)) if region else qs.none()
    if flt.meeting:
        qs = qs.filter(meeting__number=flt.meeting)
    if flt.since:
        qs = qs.filter(due_on__gte=flt.since)
    if flt.until:
        qs = qs.filter(due_on__lte=flt.until)
    if flt.overdue:
        qs = qs.filter(overdue_q(now))
    if flt.due_soon:
        qs = qs.filter(due_soon_q(now))
    if flt.on_time:
        qs = qs.filter(state=TaskState.DONE, on_time=flt.on_time == "1")
    if flt.mine:
        person = getattr(user, "person", None)
        mine = Q(person_id=person.pk) if person is not None else Q(pk__in=[])
        if person is not None and person.unit_id is not None and user.role == Role.UNIT_HANDLER:
            mine |= Q(unit_id=person.unit_id)
        qs = qs.filter(mine)
    return qs


def task_counts(qs: QuerySet[Task], now: dt.datetime) -> dict[str, int]:
    """The cards above a list: per state, plus overdue and due soon."""
    from django.db.models import Count

    by_state = {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}
    return {**by_state, "overdue": qs.filter(overdue_q(now)).count(), "due_soon": qs.filter(due_soon_q(now)).count()}


def task_timeline(task: Task) -> QuerySet[TaskEvent]:
    return task.events.select_related("actor").prefetch_related("photos").order_by("at", "id")


def with_scope(qs: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with their scope read in two queries (for lists and the ledger)."""
    return qs.prefetch_related("regions", "points__grid")


# --- completion by unit ----------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    total: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0
    open: int = 0
    due: int = 0  # done, or with its deadline passed: what the on-time rate is measured against

    @property
    def on_time_rate(self) -> float | None:
        return round(self.done_on_time / self.due, 4) if self.due else None


BY_UNIT_SORTS = {"unit", "total", "done", "done_on_time", "overdue", "open", "on_time_rate"}


def completion_by_unit(user: Any, flt: TaskFilter, *, now: dt.datetime | None = None,
                       sort: str = "on_time_rate", descending: bool = True) -> list[UnitRow]:
    """Per unit, over the user's tasks narrowed by `flt` (cancelled tasks left out): tasks in total,
    done (verified), done on time, overdue now, still open, and the on-time rate = done on time ÷
    tasks done or past their deadline. One query."""
    now = now or clock.now()
    today = clock.local(now).date()
    rows: dict[int, UnitRow] = {}
    qs = filter_tasks(user, flt, now=now).exclude(state=TaskState.CANCELLED).select_related(None)
    for task in qs.select_related("unit").only("state", "due_on", "on_time", "unit"):
        row = rows.get(task.unit_id) or rows.setdefault(task.unit_id, UnitRow(unit=task.unit))
        row.total += 1
        if task.state == TaskState.DONE:
            row.done += 1
            row.done_on_time += bool(task.on_time)
            row.due += 1
        else:
            row.open += 1
            if task.due_on < today:
                row.due += 1
                row.overdue += task.state in RUNNING_STATES
    result = list(rows.values())
    sort = sort if sort in BY_UNIT_SORTS else "on_time_rate"

    def key(row: UnitRow) -> Any:
        if sort == "unit":
            return row.unit.name
        value = getattr(row, sort)
        return -1.0 if value is None else value

    result.sort(key=lambda r: r.unit.code)
    result.sort(key=key, reverse=descending if sort != "unit" else not descending)
    return result
