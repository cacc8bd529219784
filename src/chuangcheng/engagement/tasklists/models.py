"""Promotion meetings (推进会) and the task lists (任务清单) they break their decisions into.

A task belongs to one street, is owned by one responsible unit (and optionally one person), may be
scoped to communities, grids and points, and is due at the end of a local date. Its state changes
only through tasklists.services; every change is one append-only `TaskEvent`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock
from chuangcheng.core.models import DailyCounter, WorkflowEvent
from chuangcheng.org.models import Person, Region, Unit
from chuangcheng.places.models import Point

__all__ = ["Meeting", "MeetingDecision", "Priority", "Task", "TaskCounter", "TaskEvent", "TaskState"]


class Priority(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("task priority", "normal")
    HIGH = "high", pgettext_lazy("task priority", "important")
    URGENT = "urgent", pgettext_lazy("task priority", "urgent")


class TaskState(models.TextChoices):
    OPEN = "open", pgettext_lazy("task state", "not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("task state", "in progress")
    SUBMITTED = "submitted", pgettext_lazy("task state", "submitted, awaiting verification")
    DONE = "done", pgettext_lazy("task state", "done and verified")
    CANCELLED = "cancelled", pgettext_lazy("task state", "cancelled")


# The unit is working on it: the deadline counts (used by the overdue rule and the sweep).
RUNNING_STATES = (TaskState.OPEN, TaskState.IN_PROGRESS)
OPEN_STATES = (TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.SUBMITTED)


class Meeting(models.Model):
    """A promotion meeting of the street office: who came, what was decided, the minutes."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="task_meetings")
    held_at = models.DateTimeField(_("held at"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    chair = models.CharField(_("chaired by"), max_length=50)
    units = models.ManyToManyField(Unit, verbose_name=_("units present"), blank=True,
                                   related_name="task_meetings")
    attendees = models.ManyToManyField(Person, verbose_name=_("people present"), blank=True,
                                       related_name="task_meetings")
    minutes = models.TextField(_("minutes"), blank=True)
    photos = models.ManyToManyField("evidence.Photo", verbose_name=_("photos"), blank=True,
                                    related_name="task_meetings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("promotion meeting")
        verbose_name_plural = _("promotion meetings")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MeetingDecision(models.Model):
    """One numbered decision of a meeting; tasks may point at it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"), max_length=1000)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="uniq_meeting_decision")]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class Task(models.Model):
    """One task of the list. `version` grows with every change, so two people acting at once
    cannot overwrite each other."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="tasks")
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tasks")
    decision = models.ForeignKey(MeetingDecision, verbose_name=_("decision"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             related_name="tasks")
    person = models.ForeignKey(Person, verbose_name=_("person in charge"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="tasks")
    regions = models.ManyToManyField(Region, verbose_name=_("communities and grids"), blank=True,
                                     related_name="scoped_tasks")
    points = models.ManyToManyField(Point, verbose_name=_("points"), blank=True, related_name="tasks")
    due_on = models.DateField(_("deadline"), db_index=True)
    # The first day the task counts as due soon (the working day before the deadline); the sweep warns once.
    warn_on = models.DateField(_("due soon from"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    evidence_required = models.BooleanField(_("photos required to submit"), default=True)
    state = models.CharField(_("state"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN,
                             db_index=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("assigned at"), default=clock.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, db_index=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    on_time = models.BooleanField(_("done on time"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    sent_back_count = models.PositiveIntegerField(_("sent back"), default=0)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "number"]
        indexes = [
            models.Index(fields=["street", "state"], name="task_street_state"),
            models.Index(fields=["unit", "state"], name="task_unit_state"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def deadline(self) -> dt.datetime:
        """The moment the deadline passes: the end of the due date, local time."""
        return clock.start_of(self.due_on + dt.timedelta(days=1))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_STATES

    def is_overdue(self, now: Any = None) -> bool:
        """Still with the unit (not submitted, done or cancelled) after the end of its due date."""
        now = now or clock.now()
        return self.is_running and now >= self.deadline

    def is_due_soon(self, now: Any = None) -> bool:
        now = now or clock.now()
        return bool(self.is_running and self.warn_on and clock.local(now).date() >= self.warn_on
                    and not self.is_overdue(now))


class TaskEvent(WorkflowEvent):
    """One row per change or progress report: who, when, from → to, note, percent, photos. Append-only."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now, db_index=True)
    from_state = models.CharField(max_length=16, choices=TaskState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=TaskState.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    photos = models.ManyToManyField("evidence.Photo", blank=True, related_name="task_events")

    class Meta:
        ordering = ["task", "at", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.from_state}→{self.to_state}"


class TaskCounter(DailyCounter):
    """The last number given per prefix and day, so meeting and task numbers are sequential."""

    class Meta(DailyCounter.Meta):
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="uniq_task_counter")]
