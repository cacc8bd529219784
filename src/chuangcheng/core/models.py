from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock


def shown_actor(name: str) -> str:
    """Who acted, as a page shows it: the system's own steps in the reader's language."""
    if name in ("", "system"):  # what core.workflow.actor_name(SYSTEM) and core.audit keep
        return str(_("system"))
    return name


class AuditEvent(models.Model):
    """One row per change to registered data (regions, units, people, points, the catalog).
    Append-only: a row is written once and never updated or deleted by the application."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        PUBLISH = "publish", _("published")
        IMPORT = "import", _("imported")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40, db_index=True)
    object_key = models.CharField(_("object"), max_length=80, db_index=True)
    object_label = models.CharField(_("label"), max_length=200, blank=True)
    # The region path the object belongs to, so the audit log is scoped like everything else.
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    @property
    def actor_label(self) -> str:
        return shown_actor(self.actor_name)


class WorkflowEvent(models.Model):
    """The columns every workflow's event table shares (see core.workflow): who, when, which action,
    a note and data; each table adds its foreign key to the object, `from_state` and `to_state`
    with its own choices, and its own columns. Append-only: `Workflow.move()` writes a row once."""

    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    @property
    def actor_label(self) -> str:
        return shown_actor(self.actor_name)


class DailyCounter(models.Model):
    """The last number given per prefix and day, so numbers people quote (GM-20261129-0007) are
    sequential and never reused. Each app keeps its own table (with its unique constraint)."""

    prefix = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["prefix", "day"]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"

    @classmethod
    def next_number(cls, prefix: str, day: dt.date, width: int) -> str:
        """The prefix, the local date and the next of the day's sequence, `width` digits: call it in
        the transaction that uses the number (the row stays locked until it commits)."""
        counter, _created = cls._default_manager.select_for_update().get_or_create(prefix=prefix, day=day)
        cls._default_manager.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
        return f"{prefix}-{day:%Y%m%d}-{counter.last:0{width}d}"


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a statutory holiday (法定节假日) or a make-up
    workday (调休上班日). Seeded from the `chinesecalendar` package; street admins add each new
    year's schedule when the State Council announces it. Read by `chuangcheng.core.workcal`."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("statutory holiday")
        WORKDAY = "workday", _("make-up workday")

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinesecalendar package")
        ADMIN = "admin", _("entered by an admin")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("For example 国庆节."))
    # The library sync never overwrites an admin's row: an admin's entry is the office's decision.
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name or self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.date is not None and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": _("A make-up workday falls on a Saturday or Sunday; Monday to Friday are working days.")}
            )


class Heartbeat(models.Model):
    """When a background process last showed it was alive: the embedded scheduler (`serve`) when it
    ran the periodic jobs, Celery beat when it sent a scheduled job, a Celery worker when it
    finished a task. One row per process kind, overwritten; read by /readyz."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"


class JobRun(models.Model):
    """One periodic job (core.jobs): who holds it now and how its last run went. Each run is
    claimed by one conditional UPDATE of this row, so several schedulers (two `serve` processes,
    or serve and a cron job) never run a job twice at once; a crashed holder's claim ends at
    `claimed_until`. Read by /readyz."""

    class Outcome(models.TextChoices):
        OK = "ok", pgettext_lazy("a periodic job's run", "finished")
        FAILED = "failed", pgettext_lazy("a periodic job's run", "failed")
        DATABASE_UNAVAILABLE = "database_unavailable", pgettext_lazy("a periodic job's run", "database unavailable")

    name = models.CharField(_("name"), max_length=80, primary_key=True)
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_started = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=24, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """A large export built in the background (core.exports): who asked for which rows, how far
    the build has got, and the file once written. Only its owner may read or download it; the file
    and the row are removed a day after it was finished (`expires_at`)."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export", "waiting")
        RUNNING = "running", pgettext_lazy("export", "in progress")
        DONE = "done", pgettext_lazy("export", "ready")
        FAILED = "failed", pgettext_lazy("export", "failed")

    token = models.CharField(max_length=32, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=255, blank=True)  # the storage name of the written file
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "kind", "state"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.token} {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at <= (now or clock.now())
