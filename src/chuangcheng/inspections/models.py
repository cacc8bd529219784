"""Daily plans (日调度) and inspections (日督查): who covers which points today, in which order,
and what each inspection found, item by item, with the cases its failures opened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Case, Category
from chuangcheng.core import clock
from chuangcheng.core.codes import random_code
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CatalogVersion, CheckItem


class PlanRules(models.Model):
    """How a subdistrict plans its days. One row per street; defaults apply where there is none."""

    street = models.OneToOneField(Region, verbose_name=_("subdistrict"), on_delete=models.CASCADE,
                                  related_name="plan_rules")
    every_n_days = models.PositiveSmallIntegerField(
        _("inspect every point at least every N days"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)])
    max_points_per_person = models.PositiveSmallIntegerField(
        _("most points a person covers in a day"), default=12, validators=[MinValueValidator(1)])
    distance_limit_m = models.PositiveIntegerField(
        _("farthest an inspection may be from its point (m)"), default=300,
        help_text=_("Farther, the inspection is kept and flagged."))
    grace_hours = models.PositiveSmallIntegerField(
        _("hours after midnight a day's inspections may still be submitted"), default=2,
        validators=[MaxValueValidator(12)])
    plan_at = models.TimeField(_("the morning plan is made at"), default=dt.time(6, 30))
    cross_checks_per_day = models.PositiveSmallIntegerField(
        _("points of another community each community cross-checks a day (交叉检查)"), default=0,
        validators=[MaxValueValidator(50)])

    class Meta:
        verbose_name = _("planning rules")
        verbose_name_plural = _("planning rules")

    def __str__(self) -> str:
        return str(self.street)


class DailyPlan(models.Model):
    """日调度: the plan of one subdistrict for one local date."""

    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="daily_plans")
    day = models.DateField(_("date"))
    created_at = models.DateTimeField(_("made"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("changed"), default=clock.now)

    class Meta:
        ordering = ["-day", "street"]
        constraints = [models.UniqueConstraint(fields=["street", "day"], name="uniq_plan_per_street_day")]
        verbose_name = _("daily plan")
        verbose_name_plural = _("daily plans")

    def __str__(self) -> str:
        return f"{self.street} {self.day}"


class Assignment(models.Model):
    """One point in one person's day, at its place in their walking order."""

    class Reason(models.TextChoices):
        ZERO_LOSS = "zero_loss", _("zero-loss point: every day")
        DUE = "due", _("due: not inspected for N days")
        PRIORITY = "priority", _("open cases, recent failures or resident reports")
        VERIFY = "verify", _("a case here awaits verification")
        FILL = "fill", _("spare capacity")
        MANUAL = "manual", _("added by hand")
        CROSS = "cross", _("cross-check of another community")

    plan = models.ForeignKey(DailyPlan, on_delete=models.CASCADE, related_name="assignments")
    code = models.CharField(_("code"), max_length=12, unique=True, default=random_code, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT,
                               related_name="assignments")
    point = models.ForeignKey(Point, verbose_name=_("point"), on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    reason = models.CharField(_("why"), max_length=16, choices=Reason.choices, default=Reason.DUE)
    manual = models.BooleanField(_("changed by hand"), default=False)

    class Meta:
        ordering = ["plan", "person", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "point"], name="uniq_point_per_plan")]
        indexes = [models.Index(fields=["person", "plan"], name="assignment_person_plan")]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")

    def __str__(self) -> str:
        return f"{self.plan} {self.person} #{self.position} {self.point}"


class Inspection(models.Model):
    """日督查: one visit to one point, scored against its type's checklist in the catalog version in
    force that day. Written once, never changed; `key` makes a retried submission a no-op."""

    class Kind(models.TextChoices):
        """Who checked: a community's own staff (a self-check) or someone independent of it. Only
        independent checks score a community in the ranking (RankingRules, default on)."""

        SELF = "self", _("self-check by the community's own staff")
        STREET = "street", _("check by the subdistrict office")
        CROSS = "cross", _("cross-check by another community (交叉检查)")
        DISTRICT = "district", _("check by the district or city")
        COVERT = "covert", _("third-party covert visit (暗访)")

    class Location(models.TextChoices):
        OK = "ok", _("at the point")
        FAR = "far", _("too far from the point")
        MISSING = "missing", _("no location")

    key = models.CharField(_("submission key"), max_length=64, unique=True)
    point = models.ForeignKey(Point, verbose_name=_("point"), on_delete=models.PROTECT, related_name="inspections")
    grid = models.ForeignKey(Region, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT,
                                  related_name="inspections")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="inspections")
    version = models.ForeignKey(CatalogVersion, verbose_name=_("catalog version"), on_delete=models.PROTECT,
                                related_name="inspections")
    kind = models.CharField(_("who checked"), max_length=10, choices=Kind.choices, default=Kind.SELF)
    day = models.DateField(_("date"), db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The moment the inspector pressed "submit" on the phone (an inspection queued offline arrives
    # later); `received_at` is when the server stored it. Rows before 0007 have no `received_at`.
    submitted_at = models.DateTimeField(_("submitted"), default=clock.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("distance from the point (m)"), null=True, blank=True)
    location = models.CharField(_("location check"), max_length=8, choices=Location.choices,
                                default=Location.MISSING)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=0)
    max_score = models.DecimalField(_("possible score"), max_digits=7, decimal_places=2, default=0)
    failed_count = models.PositiveSmallIntegerField(_("items failed"), default=0)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["point", "day"], name="inspection_point_day"),
            models.Index(fields=["inspector", "day"], name="inspection_person_day"),
            models.Index(fields=["grid", "day"], name="inspection_grid_day"),
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.point} {self.day}"

    @property
    def independent(self) -> bool:
        return self.kind != self.Kind.SELF

    @property
    def sent_late(self) -> bool:
        """Kept on the phone without network and sent later (more than five minutes after)."""
        return self.received_at is not None and self.received_at - self.submitted_at > dt.timedelta(minutes=5)

    def get_kind_short(self) -> str:
        """Who checked, in a word for tables (自查, 街道检查 …); `get_kind_display` says it in full."""
        short = KIND_SHORT.get(str(self.kind))
        return str(short) if short is not None else str(self.get_kind_display())

    @property
    def rate(self) -> float | None:
        """得分率 in %, over the items that applied."""
        return float(self.score) * 100 / float(self.max_score) if self.max_score else None


KIND_SHORT: dict[str, Any] = {
    Inspection.Kind.SELF: _("self-check"),
    Inspection.Kind.STREET: _("subdistrict check"),
    Inspection.Kind.CROSS: _("cross-check"),
    Inspection.Kind.DISTRICT: _("district check"),
    Inspection.Kind.COVERT: _("covert visit"),
}


class ItemResult(models.Model):
    """One check item at one inspection: pass, fail or not applicable, with a count or the number
    of occurrences where the item measures one, photos of a failure, and its case."""

    class Result(models.TextChoices):
        PASS = "pass", _("pass")
        FAIL = "fail", _("fail")
        NOT_APPLICABLE = "na", _("not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="results")
    result = models.CharField(_("result"), max_length=4, choices=Result.choices)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=0)
    max_score = models.DecimalField(_("possible score"), max_digits=6, decimal_places=2, default=0)
    category = models.ForeignKey(Category, verbose_name=_("problem category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="item_results")
    case_opened = models.BooleanField(_("this failure opened the case"), default=False)
    photos = models.ManyToManyField("evidence.Photo", blank=True, related_name="item_results")

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="uniq_item_per_inspection")]
        verbose_name = _("item result")
        verbose_name_plural = _("item results")

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.result}"
