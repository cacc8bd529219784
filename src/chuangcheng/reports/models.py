"""Stored figures and frozen publications.

`DailyRollup` and `UnitRollup` hold one local day's figures per region (grid, community, street,
district) and per responsible unit, so bulletins, rankings and dashboards read a few small rows
whatever the length of history. Past days are built by a nightly job and rebuildable by
`chuangcheng rollup`; today is computed live from today's rows. `Bulletin` and `Ranking` are
publications: once published their `content` is a frozen snapshot and is never recomputed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock
from chuangcheng.org.models import Region, Unit


class DailyRollup(models.Model):
    """One region's figures for one local day (Asia/Shanghai). Counts add up the tree: a community's
    row is the sum of its grids' rows, a street's the sum of its communities'."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="rollups")
    day = models.DateField(_("date"))
    built_at = models.DateTimeField(_("built"), default=clock.now)

    # 日督查: points and inspections
    points = models.PositiveIntegerField(_("active points"), default=0)
    zero_loss_points = models.PositiveIntegerField(_("zero-loss points"), default=0)
    visits_planned = models.PositiveIntegerField(_("visits planned"), default=0)
    visits_done = models.PositiveIntegerField(_("planned visits made"), default=0)
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    points_inspected = models.PositiveIntegerField(_("points inspected"), default=0)
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=2, default=0)
    max_score = models.DecimalField(_("possible score"), max_digits=12, decimal_places=2, default=0)
    items_checked = models.PositiveIntegerField(_("items checked"), default=0)
    items_failed = models.PositiveIntegerField(_("items failed"), default=0)
    points_failed = models.PositiveIntegerField(_("points with a failure"), default=0)
    zero_loss_failed = models.PositiveIntegerField(_("zero-loss points with a failure"), default=0)

    # Cases: what happened this day
    cases_opened = models.PositiveIntegerField(_("cases opened"), default=0)
    cases_from_residents = models.PositiveIntegerField(_("cases reported by residents"), default=0)
    cases_dispatched = models.PositiveIntegerField(_("cases dispatched"), default=0)
    cases_rectified = models.PositiveIntegerField(_("cases rectified"), default=0)
    cases_rectified_on_time = models.PositiveIntegerField(_("cases rectified on time"), default=0)
    cases_closed = models.PositiveIntegerField(_("cases verified and closed"), default=0)
    cases_returned = models.PositiveIntegerField(_("returned for rework"), default=0)
    cases_reopened = models.PositiveIntegerField(_("cases reopened"), default=0)
    cases_wrong_unit = models.PositiveIntegerField(_("sent back as wrong unit"), default=0)
    # Due-based figures (GB/T 30428, reports.rates): cases whose deadline fell this day, and of them
    # those rectified by it; cases closed this day never returned for rework nor reopened.
    cases_due = models.PositiveIntegerField(_("cases that fell due"), default=0)
    cases_due_met = models.PositiveIntegerField(_("cases that fell due, handled by the deadline"), default=0)
    cases_first_time = models.PositiveIntegerField(_("cases closed at the first attempt"), default=0)
    # Residents' ratings of closed cases given this day
    ratings_satisfied = models.PositiveIntegerField(_("rated satisfied"), default=0)
    ratings_basic = models.PositiveIntegerField(_("rated basically satisfied"), default=0)
    ratings_unsatisfied = models.PositiveIntegerField(_("rated unsatisfied"), default=0)
    # Cases: the state at the end of the day
    cases_open = models.PositiveIntegerField(_("cases open at the end of the day"), default=0)
    cases_overdue = models.PositiveIntegerField(_("cases overdue at the end of the day"), default=0)

    # The field score's inputs in the assessment's terms (standards.scoring), by who checked:
    # {"self" | "independent": {assessment item code: [inspections, "deducted"]}}
    field = models.JSONField(_("assessment deductions"), default=dict, blank=True)
    # {category code: {"failed": items failed, "opened": cases opened}}
    by_category = models.JSONField(_("by category"), default=dict, blank=True)
    # Figures of later capabilities (volunteer hours, publicity, survey answers ...), by name.
    extra = models.JSONField(_("other figures"), default=dict, blank=True)

    class Meta:
        ordering = ["day", "region"]
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="uniq_rollup_region_day")]
        indexes = [models.Index(fields=["day", "region"], name="rollup_day_region")]
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"


class UnitRollup(models.Model):
    """One responsible unit's case figures for one local day (on-time rate by unit, rework)."""

    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.CASCADE,
                             related_name="rollups")
    day = models.DateField(_("date"))
    built_at = models.DateTimeField(_("built"), default=clock.now)
    cases_dispatched = models.PositiveIntegerField(_("cases dispatched"), default=0)
    cases_rectified = models.PositiveIntegerField(_("cases rectified"), default=0)
    cases_rectified_on_time = models.PositiveIntegerField(_("cases rectified on time"), default=0)
    cases_closed = models.PositiveIntegerField(_("cases verified and closed"), default=0)
    cases_returned = models.PositiveIntegerField(_("returned for rework"), default=0)
    cases_reopened = models.PositiveIntegerField(_("cases reopened"), default=0)
    cases_wrong_unit = models.PositiveIntegerField(_("sent back as wrong unit"), default=0)
    cases_due = models.PositiveIntegerField(_("cases that fell due"), default=0)
    cases_due_met = models.PositiveIntegerField(_("cases that fell due, handled by the deadline"), default=0)
    cases_first_time = models.PositiveIntegerField(_("cases closed at the first attempt"), default=0)
    cases_open = models.PositiveIntegerField(_("cases open at the end of the day"), default=0)
    cases_overdue = models.PositiveIntegerField(_("cases overdue at the end of the day"), default=0)

    class Meta:
        ordering = ["day", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="uniq_rollup_unit_day")]
        indexes = [models.Index(fields=["day", "unit"], name="rollup_day_unit")]
        verbose_name = _("daily figures of a unit")
        verbose_name_plural = _("daily figures of units")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class Publication(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("status", "draft")
    PUBLISHED = "published", pgettext_lazy("status", "published")


class Bulletin(models.Model):
    """A subdistrict's 通报: the daily bulletin (日通报) of a day, or the monthly one (月度通报) of a
    month (`day` its first day). Drafted automatically, reviewed and published by a street admin;
    `number` (第 N 期) is given at publication, sequential per subdistrict, kind and year."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("daily bulletin")
        MONTHLY = "monthly", _("monthly bulletin")

    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="bulletins")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DAILY)
    day = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Publication.choices, default=Publication.DRAFT)
    # Everything the bulletin shows (figures, tables, photo ids, editor's remarks); frozen once published.
    content = models.JSONField(_("content"), default=dict, blank=True)
    remarks = models.TextField(_("remarks"), blank=True, max_length=4000)
    drafted_at = models.DateTimeField(_("drafted"), default=clock.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-day", "street"]
        constraints = [
            models.UniqueConstraint(fields=["street", "kind", "day"], name="uniq_bulletin_street_kind_day"),
            models.UniqueConstraint(fields=["street", "kind", "year", "number"], name="uniq_bulletin_kind_number"),
        ]
        verbose_name = _("daily bulletin")
        verbose_name_plural = _("daily bulletins")

    def __str__(self) -> str:
        return f"{self.street_id} {self.kind} {self.day} #{self.number or '-'}"

    @property
    def key(self) -> str:
        """The bulletin's place in its URL: the day (2026-12-02), or the month (2026-12)."""
        return self.day.isoformat()[:7] if self.kind == self.Kind.MONTHLY else self.day.isoformat()


class RankingRules(models.Model):
    """A subdistrict's ranking formula (weights, minimum samples ...), edited by a street admin.
    `formula` holds only what differs from the shipped default."""

    street = models.OneToOneField(Region, verbose_name=_("subdistrict"), on_delete=models.CASCADE,
                                  related_name="ranking_rules")
    formula = models.JSONField(_("formula"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("changed"), default=clock.now)

    class Meta:
        verbose_name = _("ranking rules")
        verbose_name_plural = _("ranking rules")

    def __str__(self) -> str:
        return str(self.street_id)


class Ranking(models.Model):
    """The weekly ranking (周排名) of a subdistrict's communities for one ISO week. The formula used and
    every row with its parts are kept in `content`; frozen once published."""

    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="rankings")
    week = models.CharField(_("week"), max_length=8)  # ISO week, "2026-W48"
    week_start = models.DateField(_("first day"))  # the Monday
    status = models.CharField(_("status"), max_length=12, choices=Publication.choices, default=Publication.DRAFT)
    formula = models.JSONField(_("formula"), default=dict, blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=clock.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-week_start", "street"]
        constraints = [models.UniqueConstraint(fields=["street", "week_start"], name="uniq_ranking_street_week")]
        verbose_name = _("weekly ranking")
        verbose_name_plural = _("weekly rankings")

    def __str__(self) -> str:
        return f"{self.street_id} {self.week}"

    @property
    def week_title(self) -> str:
        """The week as people read it: 第48周（11月23日—11月29日）. URLs and commands keep `week`."""
        from chuangcheng.core.gongwen import week_label

        return week_label(self.week_start)


class ReportSettings(models.Model):
    """How a subdistrict's 通报 are issued: the issuing office, who they go to (the 版记's
    报 / 送 / 发 and 抄送 lines) and the default time given to rectify what a daily bulletin lists.
    Blank fields take the defaults of `reports.issuing`; every document keeps what it was issued
    with (a frozen bulletin never changes when these do)."""

    street = models.OneToOneField(Region, verbose_name=_("subdistrict"), on_delete=models.CASCADE,
                                  related_name="report_settings")
    issuer = models.CharField(_("issuing office"), max_length=100, blank=True,
                              help_text=_("Blank: the subdistrict's civilized-city campaign leading group office."))
    report_to = models.CharField(_("reported to (报)"), max_length=300, blank=True)
    send_to = models.CharField(_("sent to (送)"), max_length=300, blank=True)
    distribute_to = models.CharField(_("issued to (发)"), max_length=300, blank=True)
    cc = models.CharField(_("copied to (抄送)"), max_length=300, blank=True)
    rectify_days = models.PositiveSmallIntegerField(
        _("days given to rectify"), default=2,
        help_text=_("The 整改要求 of a daily bulletin asks for the problems it lists to be fixed within this "
                    "many days (editable on each draft)."))
    updated_at = models.DateTimeField(_("changed"), default=clock.now)

    class Meta:
        verbose_name = _("issuing settings")
        verbose_name_plural = _("issuing settings")

    def __str__(self) -> str:
        return str(self.street_id)
