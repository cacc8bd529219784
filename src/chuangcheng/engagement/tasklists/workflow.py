"""The task lifecycle, declared once (see core.workflow): the services move tasks with
`TASKS.move()`; the task page's buttons, the API's endpoints and `actions`, and the permission checks
are read from this table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core.workflow import Workflow, transition
from chuangcheng.engagement.tasklists import permissions
from chuangcheng.engagement.tasklists.models import OPEN_STATES, RUNNING_STATES, Task, TaskEvent, TaskState


def last_submitter(task: Task) -> Any:
    """Who submitted the task last (a verifier must be someone else)."""
    return TASKS.last_actor(task, "submit")


TASKS: Workflow[Task, TaskEvent] = Workflow(
    model=Task,
    event_model=TaskEvent,
    subject="task",
    state_label=lambda state: TaskState(state).label,
    not_allowed=_("A task that is “%(state)s” cannot be %(action)s."),
    denied=_("Your role or region does not allow this action on this task."),
    conflict=_("Someone else changed this task a moment ago. Reload it to see what changed, then try again."),
    context={"submitted_by": last_submitter},
    transitions=[
        transition("progress", RUNNING_STATES, TaskState.IN_PROGRESS, who=permissions.can_work,
                   label=_("Report progress"), done=pgettext_lazy("task action", "given a progress report"),
                   fields=["percent", "note", "photos"], required=["percent", "note"],
                   operation_id="postTaskProgress"),
        # Photos are required when the task says so (`evidence_required`): the service and the form check.
        transition("submit", RUNNING_STATES, TaskState.SUBMITTED, who=permissions.can_work,
                   label=_("Done: submit for verification"), done=pgettext_lazy("task action", "submitted as done"),
                   fields=["note", "photos"], operation_id="submitTask"),
        transition("verify", {TaskState.SUBMITTED}, TaskState.DONE, who=permissions.can_verify,
                   needs=("submitted_by",), label=_("Verify as done"), done=pgettext_lazy("task action", "verified"),
                   fields=["note", "photos"], operation_id="verifyTask"),
        transition("send_back", {TaskState.SUBMITTED}, TaskState.IN_PROGRESS, who=permissions.can_verify,
                   needs=("submitted_by",), label=_("Send back"), done=pgettext_lazy("task action", "sent back"),
                   fields=["reason", "photos"], required=["reason"], api="send-back", operation_id="sendBackTask"),
        transition("cancel", OPEN_STATES, TaskState.CANCELLED, who=permissions.can_cancel,
                   label=_("Cancel the task"), done=pgettext_lazy("task action", "cancelled"),
                   fields=["reason"], required=["reason"], operation_id="cancelTask"),
    ],
)

# What the timeline says happened (past tense, after the actor's name).
EVENT_LABELS = {
    "create": _("assigned the task"),
    "progress": _("reported progress"),
    "submit": _("submitted it as done"),
    "verify": _("verified it as done"),
    "send_back": _("sent it back"),
    "cancel": _("cancelled it"),
    "warn": _("reminded the unit: due soon"),
    "escalate": _("overdue: escalated (督办)"),
}
