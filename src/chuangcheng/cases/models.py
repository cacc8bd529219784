from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock
from chuangcheng.core.codes import random_code
from chuangcheng.core.models import DailyCounter, WorkflowEvent
from chuangcheng.core.validators import validate_code
from chuangcheng.org.models import Region, Unit
from chuangcheng.places.models import Point


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    NATURAL_HOURS = "natural_hours", _("hours")
    NATURAL_MINUTES = "natural_minutes", _("minutes")


class Category(models.Model):
    """A problem category in two levels (市容环境 › 暴露垃圾). Shipped as data, editable by admins."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey(
        "self", verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The campaign's 四乱 and other labels residents and bulletins use.
    campaign_label = models.CharField(_("campaign label"), max_length=20, blank=True)
    public = models.BooleanField(_("residents may choose it"), default=True)
    limit_amount = models.PositiveIntegerField(_("time limit"), default=1)
    limit_unit = models.CharField(_("time limit unit"), max_length=16, choices=TimeUnit.choices,
                                  default=TimeUnit.WORKING_DAYS)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class State(models.TextChoices):
    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    DISPATCHED = "dispatched", _("dispatched")
    RECTIFYING = "rectifying", _("being rectified")
    RECTIFIED = "rectified", _("rectified, awaiting verification")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("verified and closed")


class Resolution(models.TextChoices):
    NONE = "", _("open")
    FIXED = "fixed", _("fixed")
    NOT_FIXABLE = "not_fixable", _("cannot be fixed")
    DUPLICATE = "duplicate", _("duplicate")
    NOT_OURS = "not_ours", _("not our responsibility")


class Source(models.TextChoices):
    INSPECTION = "inspection", _("inspection")
    STAFF = "staff", _("staff")
    RESIDENT = "resident", _("resident")
    HOTLINE = "hotline", _("hotline")
    LEADER = "leader", _("leader")
    # 上级交办: a problem on a list sent down by the district or city 创城办 (chuangcheng.problems)
    DIRECTIVE = "directive", _("from above")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("not satisfied")


class Severity(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


class Case(models.Model):
    """A problem, from report to verified closing. State changes only through cases.services;
    `version` increases with every change so two people acting at once cannot overwrite each other."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="cases")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    point = models.ForeignKey(Point, verbose_name=_("point"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="cases")
    grid = models.ForeignKey(Region, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="cases")
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REPORTED,
                             db_index=True)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices, blank=True,
                                  default=Resolution.NONE)
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cases")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="handled_cases")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="reported_cases")
    reported_at = models.DateTimeField(_("reported"), default=clock.now, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    # When 80 % of the time limit is used: "due soon" from then, and the sweep warns the unit once.
    warn_at = models.DateTimeField(_("due soon from"), null=True, blank=True, db_index=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Suspension (挂账) stops the clock; the state to return to is kept here.
    suspended_from = models.CharField(max_length=16, choices=State.choices, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    extension_requested_until = models.DateTimeField(_("extension requested until"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)
    rework_count = models.PositiveIntegerField(_("returned for rework"), default=0)
    wrong_unit_count = models.PositiveIntegerField(_("sent back as wrong unit"), default=0)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # The escalation ladder (cases.escalation): the last local day a daily reminder went out, and the
    # ISO week ("2026-W49") the case last put its unit on the 约谈 list. Claimed by conditional UPDATEs.
    reminded_on = models.DateField(_("last reminded"), null=True, blank=True)
    interview_week = models.CharField(max_length=8, blank=True)
    # 上报: referred to the district, waiting for its answer (cleared by the answer).
    referred_at = models.DateTimeField(_("referred to the district"), null=True, blank=True)
    # Residents' reports are public from the start; any other case only once the street office
    # marks it so (public.services.publish_case). The public pages and Open311 show no other case.
    public = models.BooleanField(_("shown to the public"), default=False)
    # The reporting resident's rating of the fix (群众满意率), the last one given.
    rating = models.CharField(_("resident's rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_reason = models.CharField(_("reason for the rating"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "state"], name="case_grid_state"),
            models.Index(fields=["unit", "state"], name="case_unit_state"),
            # The daily rollups: cases closed since a day began.
            models.Index(fields=["closed_at"], name="case_closed_at"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.state not in {State.CLOSED, State.REJECTED}

    def is_due_soon(self, now: Any = None) -> bool:
        """80 % of the time used, deadline not yet passed."""
        return due_soon(self.state, self.deadline, self.warn_at, now or clock.now())

    @property
    def is_running(self) -> bool:
        """The clock runs: with a unit, not paused, not waiting for verification or closed."""
        return self.state in _CLOCK_RUNS

    def is_overdue(self, now: Any = None) -> bool:
        """Past its deadline while still open (a suspended case's clock is stopped)."""
        return overdue(self.state, self.deadline, now or clock.now())


_CLOCK_STOPPED = frozenset({State.CLOSED, State.REJECTED, State.SUSPENDED, State.RECTIFIED})
_CLOCK_RUNS = frozenset({State.DISPATCHED, State.RECTIFYING})


def overdue(state: str, deadline: dt.datetime | None, now: dt.datetime) -> bool:
    """`Case.is_overdue` from the columns alone (lists read them with `values()`)."""
    return bool(deadline and state not in _CLOCK_STOPPED and now > deadline)


def due_soon(state: str, deadline: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime) -> bool:
    """`Case.is_due_soon` from the columns alone."""
    return bool(warn_at and state in _CLOCK_RUNS and warn_at <= now and not overdue(state, deadline, now))


class CaseEvent(WorkflowEvent):
    """One row per transition: who, when, from → to, note. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices)
    # The deadline in force after an event that sets the clock (dispatch, redispatch, reopen, a granted
    # extension, resume; send-back stops it: null). The daily rollups read it here.
    deadline = models.DateTimeField(null=True, blank=True)
    # Before-photos on the report, after-photos on a rectification, site photos on a verification.
    photos = models.ManyToManyField("evidence.Photo", blank=True, related_name="case_events")

    class Meta:
        ordering = ["case", "at", "id"]
        # The daily rollups read one day's events.
        indexes = [models.Index(fields=["at"], name="caseevent_at"),
                   # The due-based rates: deadlines that fell in a day (reports.rates).
                   models.Index(fields=["deadline"], name="caseevent_deadline")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_state}→{self.to_state}"


class CaseCounter(DailyCounter):
    """The last number given per prefix and day, so case numbers are sequential and never reused."""

    class Meta(DailyCounter.Meta):
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="uniq_case_counter")]


class SavedView(models.Model):
    """A case list filter someone named and keeps in their menu of views (e.g. "我单位待整改")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_views")
    code = models.CharField(_("code"), max_length=12, unique=True, default=random_code, editable=False)
    name = models.CharField(_("name"), max_length=40)
    query = models.CharField(_("filter"), max_length=500)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="uniq_case_view_name")]
        verbose_name = _("saved case view")
        verbose_name_plural = _("saved case views")

    def __str__(self) -> str:
        return self.name


class EscalationRules(models.Model):
    """A street's escalation ladder (督办). A street without a row uses the defaults of the fields."""

    street = models.OneToOneField(Region, verbose_name=_("subdistrict"), on_delete=models.CASCADE,
                                  related_name="escalation_rules")
    warn_percent = models.PositiveSmallIntegerField(_("warn at % of the time used"), default=80)
    remind_at = models.TimeField(_("daily reminder at"), default=dt.time(9, 0))
    quiet_from = models.TimeField(_("quiet hours from"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=dt.time(8, 0))
    notice_after_days = models.PositiveSmallIntegerField(_("supervision notice after working days overdue"), default=3)
    interview_after_days = models.PositiveSmallIntegerField(_("talk list after working days overdue"), default=5)

    class Meta:
        ordering = ["street"]
        verbose_name = _("escalation rules")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return str(self.street)

    def is_quiet(self, moment: dt.time) -> bool:
        """Nothing is sent in quiet hours (they may run over midnight)."""
        if self.quiet_from == self.quiet_until:
            return False
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= moment < self.quiet_until
        return moment >= self.quiet_from or moment < self.quiet_until


class SupervisionNotice(models.Model):
    """督办通知单: issued by the sweep to a unit with cases long overdue, numbered per street and year,
    at most one per unit and day."""

    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="supervision_notices")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             related_name="supervision_notices")
    day = models.DateField(_("day"))
    issued_at = models.DateTimeField(_("issued"), default=clock.now)
    reply_by = models.DateField(_("reply by"))
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), related_name="supervision_notices")

    class Meta:
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["street", "year", "number"], name="uniq_notice_number"),
            models.UniqueConstraint(fields=["unit", "day"], name="uniq_notice_unit_day"),
        ]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"〔{self.year}〕第{self.number}号"

    @property
    def code(self) -> str:
        """The notice in URLs and file names: street code, year and number."""
        return f"{self.street.code}-{self.year}-{self.number}"
