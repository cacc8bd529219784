"""Mock assessment rounds (模拟测评): a street draws points per type the way the assessors sample them,
keeps the draw from the communities until the round starts, has its team inspect each drawn point
with the inspection form, and freezes a report in the assessors' terms when the round is finished.

A round's lifecycle is declared in `workflow.py` (`ROUNDS`); `RoundEvent` keeps one row per step."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock
from chuangcheng.core.models import WorkflowEvent
from chuangcheng.inspections.models import Inspection
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CatalogVersion, PointType


class State(models.TextChoices):
    DRAWN = "drawn", pgettext_lazy("mock assessment round", "drawn")
    STARTED = "started", pgettext_lazy("mock assessment round", "started")
    FINISHED = "finished", pgettext_lazy("mock assessment round", "finished")
    CANCELLED = "cancelled", pgettext_lazy("mock assessment round", "cancelled")


class Round(models.Model):
    """第 N 轮: one mock assessment of a street. `seed` makes the draw reproducible; `catalog` is the
    catalog version whose sample sizes and scoring the round uses; `report` is frozen at finish."""

    class Team(models.TextChoices):
        """Who assesses: the kind their inspections are recorded with."""

        STREET = "street", _("the subdistrict office's own staff")
        COVERT = "covert", _("a third party, unannounced (暗访)")

    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("round"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    seed = models.PositiveBigIntegerField(_("seed"))
    catalog = models.ForeignKey(CatalogVersion, verbose_name=_("catalog version"), on_delete=models.PROTECT,
                                related_name="+")
    team_kind = models.CharField(_("assessed by"), max_length=8, choices=Team.choices, default=Team.STREET)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("team"), blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAWN)
    version = models.PositiveIntegerField(default=1)
    drawn_at = models.DateTimeField(_("drawn"), default=clock.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        ordering = ["street", "-number"]
        constraints = [models.UniqueConstraint(fields=["street", "number"], name="uniq_round_number_per_street")]
        verbose_name = _("mock assessment round")
        verbose_name_plural = _("mock assessment rounds")

    def __str__(self) -> str:
        return f"{self.street} #{self.number}"

    @property
    def name(self) -> str:
        from django.utils.translation import gettext

        return gettext("Round %(number)s") % {"number": self.number}

    def kind_of_inspections(self) -> str:
        return Inspection.Kind.COVERT if self.team_kind == self.Team.COVERT else Inspection.Kind.STREET


class RoundEvent(WorkflowEvent):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=State.choices)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("round event")
        verbose_name_plural = _("round events")

    def __str__(self) -> str:
        return f"{self.round} {self.action} {self.from_state}→{self.to_state}"


class RoundPoint(models.Model):
    """One drawn point: who assesses it and, once recorded, the inspection made there."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="points")
    point = models.ForeignKey(Point, verbose_name=_("point"), on_delete=models.PROTECT, related_name="+")
    point_type = models.ForeignKey(PointType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("no."))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessor"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    inspection = models.OneToOneField(Inspection, verbose_name=_("inspection"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="round_point")
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "point"], name="uniq_point_per_round"),
            models.UniqueConstraint(fields=["round", "position"], name="uniq_position_per_round"),
        ]
        verbose_name = _("drawn point")
        verbose_name_plural = _("drawn points")

    def __str__(self) -> str:
        return f"{self.round} {self.position} {self.point}"

    @property
    def recorded(self) -> bool:
        return self.inspection_id is not None
