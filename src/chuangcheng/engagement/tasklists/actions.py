"""The actions a person takes on a task, by name, for the adapters (pages, API): which actions
exist, who may take them and their labels are the task workflow's table (tasklists.workflow.TASKS);
here each offered action is bound to its one service."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chuangcheng.core.workflow import Actor, Transition
from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Task, TaskEvent
from chuangcheng.engagement.tasklists.workflow import TASKS

Runner = Callable[[Task, Actor, Mapping[str, Any], Sequence[Any]], TaskEvent]

# Each offered action of the task workflow, bound to its one service.
RUNNERS: dict[str, Runner] = {
    "progress": lambda t, by, d, p: services.post_progress(t, by=by, note=d.get("note", ""), percent=d["percent"],
                                                           photos=p),
    "submit": lambda t, by, d, p: services.submit_task(t, by=by, note=d.get("note", ""), photos=p),
    "verify": lambda t, by, d, p: services.verify_task(t, by=by, note=d.get("note", ""), photos=p),
    "send_back": lambda t, by, d, p: services.send_back_task(t, by=by, reason=d.get("reason", ""), photos=p),
    "cancel": lambda t, by, d, p: services.cancel_task(t, by=by, reason=d.get("reason", "")),
}
if set(RUNNERS) != {t.action for t in TASKS.offered()}:  # pragma: no cover - caught by any import
    raise RuntimeError("tasklists: every offered action of the task workflow needs its service, and only those")


def perform(action: str, task: Task, *, by: Actor, data: Mapping[str, Any], photos: Sequence[Any] = ()) -> TaskEvent:
    return RUNNERS[action](task, by, data, photos)


def check_allowed(action: str, task: Task, *, by: Actor, version: int | None = None) -> Transition:
    """The version, state and role checks of the action's service, made before any photo is decoded."""
    return TASKS.check(task, action, by=by, version=version)
