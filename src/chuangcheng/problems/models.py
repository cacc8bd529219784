"""A problem list sent down from above (问题清单) and its problems, each of which becomes a case."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Case, Category
from chuangcheng.core import clock
from chuangcheng.core.codes import random_code
from chuangcheng.org.models import Region, Unit
from chuangcheng.places.models import Point
from chuangcheng.standards.models import PointType

# A list's deadline is a day; its problems are due by the end of that day's office hours.
DEADLINE_TIME = dt.time(18, 0)


class Kind(models.TextChoices):
    SUPERVISION = "supervision", _("supervision check (督查)")
    COVERT = "covert", _("covert visit (暗访)")
    ASSESSMENT = "assessment", _("assessment feedback (测评反馈)")


class ProblemList(models.Model):
    """One batch as the issuer sent it: who, when, what kind, by when, under which reference."""

    code = models.CharField(_("code"), max_length=12, unique=True, default=random_code, editable=False)
    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="problem_lists")
    reference = models.CharField(_("reference number"), max_length=80)
    issuer = models.CharField(_("issued by"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SUPERVISION)
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered"), default=clock.now)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["street", "reference"], name="uniq_problem_list_reference")]
        verbose_name = _("problem list")
        verbose_name_plural = _("problem lists")

    def __str__(self) -> str:
        return f"{self.reference} {self.issuer}"

    @property
    def due_at(self) -> dt.datetime:
        """The moment the list is due: its deadline day at the end of office hours, local time."""
        return clock.start_of(self.deadline) + dt.timedelta(hours=DEADLINE_TIME.hour, minutes=DEADLINE_TIME.minute)


class Problem(models.Model):
    """One row of a list, as the issuer described it, and the case it became."""

    problem_list = models.ForeignKey(ProblemList, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("no."))
    place = models.CharField(_("place"), max_length=200)
    point = models.ForeignKey(Point, verbose_name=_("point"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    point_type = models.ForeignKey(PointType, verbose_name=_("point type"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), max_length=4000)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    photos = models.ManyToManyField("evidence.Photo", blank=True, related_name="+")
    case = models.OneToOneField(Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="problem")

    class Meta:
        ordering = ["problem_list", "row"]
        constraints = [models.UniqueConstraint(fields=["problem_list", "row"], name="uniq_problem_row")]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return f"{self.row}. {self.place}"
