"""The actions a person takes on a task, by name, for the adapters (pages, API): which actions
exist, who may take them and their labels are the task workflow's table (tasklists.workflow.TASKS);
here each offered action is bound to its one service."""

from __future__ import annotations

from chuangcheng.core.workflow import Actions
from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Task, TaskEvent
from chuangcheng.engagement.tasklists.workflow import TASKS

ACTIONS: Actions[Task, TaskEvent] = Actions(TASKS, {
    "progress": lambda t, by, d, p: services.post_progress(t, by=by, note=d.get("note", ""), percent=d["percent"],
                                                           photos=p),
    "submit": lambda t, by, d, p: services.submit_task(t, by=by, note=d.get("note", ""), photos=p),
    "verify": lambda t, by, d, p: services.verify_task(t, by=by, note=d.get("note", ""), photos=p),
    "send_back": lambda t, by, d, p: services.send_back_task(t, by=by, reason=d.get("reason", ""), photos=p),
    "cancel": lambda t, by, d, p: services.cancel_task(t, by=by, reason=d.get("reason", "")),
})
