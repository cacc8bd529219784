"""The task list's figures of one local day for the daily rollups (reports.services.extra).

Keyed by region id: the street counts each of its tasks once; a community or grid counts each task
scoped in it (by region or by a point there) once, so a task scoped to several regions counts once
in each. A grid is keyed only when a task's scope reaches it (a grid, or a point in it).

- tasks_due: tasks (not cancelled by the end of the day) whose deadline is that day;
- tasks_completed: tasks verified as done that day;
- tasks_completed_on_time: of those, the ones submitted before their deadline passed;
- tasks_overdue: tasks still with their unit (not started or in progress) at the end of that day
  although their deadline had passed by then (the due date itself included)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from chuangcheng.core import clock
from chuangcheng.engagement.tasklists.models import RUNNING_STATES, Task, TaskEvent, TaskState
from chuangcheng.org.models import Region

FIELDS = ("tasks_due", "tasks_completed", "tasks_completed_on_time", "tasks_overdue")


def _regions_of(tasks: list[Task], street: Region) -> dict[int, set[int]]:
    """Per task id, the ids of the street and of each community and grid its scope reaches."""
    ids = [t.pk for t in tasks]
    paths: dict[int, set[str]] = defaultdict(set)
    for task_id, path in Task.regions.through.objects.filter(task_id__in=ids).values_list(
            "task_id", "region__path"):
        paths[task_id].add(path)
    for task_id, path in Task.points.through.objects.filter(task_id__in=ids).values_list(
            "task_id", "point__grid__path"):
        paths[task_id].add(path)
    wanted = {p for ps in paths.values() for p in ps}
    # Each scope region, and the community above a grid.
    for path in list(wanted):
        codes = [c for c in path.strip("/").split("/") if c]
        wanted.update("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes)))
    ids_by_path = dict(Region.objects.filter(path__in=wanted, path__startswith=street.path)
                       .exclude(pk=street.pk).values_list("path", "id"))
    result: dict[int, set[int]] = {}
    for task in tasks:
        regions = {street.pk}
        for path in paths.get(task.pk, ()):
            codes = [c for c in path.strip("/").split("/") if c]
            for i in range(len(codes)):
                region_id = ids_by_path.get("/" + "/".join(codes[: i + 1]) + "/")
                if region_id is not None:
                    regions.add(region_id)
        result[task.pk] = regions
    return result


def day_extra(day: dt.date, street: Region) -> dict[int, dict[str, int | float]]:
    start, end = clock.day_bounds(day)
    tasks = Task.objects.filter(street=street, created_at__lt=end)
    due = list(tasks.filter(due_on=day).exclude(state=TaskState.CANCELLED, cancelled_at__lt=end)
               .only("id", "state", "due_on"))
    completed = list(tasks.filter(state=TaskState.DONE, verified_at__gte=start, verified_at__lt=end)
                     .only("id", "on_time", "state", "due_on"))
    # Possibly overdue at the end of the day: due by then and not closed (done or cancelled) before it.
    candidates = list(tasks.filter(due_on__lte=day).filter(
        Q(state__in=RUNNING_STATES) | Q(state=TaskState.SUBMITTED)
        | Q(state=TaskState.DONE, verified_at__gte=end) | Q(state=TaskState.CANCELLED, cancelled_at__gte=end))
        .only("id", "state", "due_on"))
    # Their state at the end of the day: the last event before it.
    last_state: dict[int, str] = {}
    for task_id, to_state in (TaskEvent.objects.filter(task_id__in=[t.pk for t in candidates], at__lt=end)
                              .exclude(action__in=["warn", "escalate"]).order_by("task_id", "at", "id")
                              .values_list("task_id", "to_state")):
        last_state[task_id] = to_state
    overdue = [t for t in candidates if last_state.get(t.pk) in RUNNING_STATES]
    everything = {t.pk: t for t in [*due, *completed, *overdue]}
    if not everything:
        return {}
    regions = _regions_of(list(everything.values()), street)
    figures: dict[int, dict[str, int | float]] = {}

    def add(tasks_: list[Task], name: str) -> None:
        for task in tasks_:
            for region_id in regions[task.pk]:
                row = figures.setdefault(region_id, dict.fromkeys(FIELDS, 0))
                row[name] += 1

    add(due, "tasks_due")
    add(completed, "tasks_completed")
    add([t for t in completed if t.on_time], "tasks_completed_on_time")
    add(overdue, "tasks_overdue")
    return figures
